#include "synth/records.hpp"

namespace medanon::synth {

const char* to_string(Layout layout) {
  switch (layout) {
    case Layout::padchest: return "padchest";
    case Layout::dicom: return "dicom";
  }
  return "unknown";
}

const char* to_string(ObjectKind kind) {
  switch (kind) {
    case ObjectKind::pacemaker: return "pacemaker";
    case ObjectKind::central_venous_catheter: return "central_venous_catheter";
    case ObjectKind::nasogastric_tube: return "nasogastric_tube";
    case ObjectKind::endotracheal_tube: return "endotracheal_tube";
    case ObjectKind::chest_drain: return "chest_drain";
    case ObjectKind::sternotomy_wires: return "sternotomy_wires";
    case ObjectKind::osteosynthesis: return "osteosynthesis";
    case ObjectKind::heart_valve_ring: return "heart_valve_ring";
    case ObjectKind::surgical_clips: return "surgical_clips";
    case ObjectKind::ring: return "ring";
    case ObjectKind::port_catheter: return "port_catheter";
    case ObjectKind::pulmonary_artery_catheter: return "pulmonary_artery_catheter";
    case ObjectKind::tracheostomy_tube: return "tracheostomy_tube";
    case ObjectKind::shoulder_prosthesis: return "shoulder_prosthesis";
    case ObjectKind::vertebral_cement: return "vertebral_cement";
    case ObjectKind::aortic_stent_graft: return "aortic_stent_graft";
    case ObjectKind::metal_fragments: return "metal_fragments";
    case ObjectKind::ecg_electrodes: return "ecg_electrodes";
  }
  return "unknown";
}

}  // namespace medanon::synth

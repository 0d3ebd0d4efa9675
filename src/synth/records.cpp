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
  }
  return "unknown";
}

}  // namespace medanon::synth

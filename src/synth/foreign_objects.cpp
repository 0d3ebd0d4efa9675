#include "synth/foreign_objects.hpp"

#include <algorithm>
#include <opencv2/imgproc.hpp>
#include <stdexcept>

#include "synth/object_drawers.hpp"

namespace medanon::synth {
namespace {

const char* const kPacemaker = "pacemaker";
const char* const kDualChamber = "dual chamber device";
const char* const kSingleChamber = "single chamber device";

std::string draw_one(ObjectKind kind, ObjectCanvas& canvas, const BodyFrame& body, Rng& rng) {
  switch (kind) {
    case ObjectKind::pacemaker:
      return draw_pacemaker(canvas, body, rng);
    case ObjectKind::central_venous_catheter:
      return draw_central_venous_catheter(canvas, body, rng);
    case ObjectKind::nasogastric_tube:
      return draw_nasogastric_tube(canvas, body, rng);
    case ObjectKind::endotracheal_tube:
      return draw_endotracheal_tube(canvas, body, rng);
    case ObjectKind::chest_drain:
      return draw_chest_drain(canvas, body, rng);
    case ObjectKind::sternotomy_wires:
      return draw_sternotomy_wires(canvas, body, rng);
    case ObjectKind::osteosynthesis:
      return draw_osteosynthesis(canvas, body, rng);
    case ObjectKind::heart_valve_ring:
      return draw_heart_valve_ring(canvas, body, rng);
    case ObjectKind::surgical_clips:
      return draw_surgical_clips(canvas, body, rng);
    case ObjectKind::ring:
      return draw_ring(canvas, body, rng);
    case ObjectKind::port_catheter:
      return draw_port_catheter(canvas, body, rng);
    case ObjectKind::pulmonary_artery_catheter:
      return draw_pulmonary_artery_catheter(canvas, body, rng);
    case ObjectKind::tracheostomy_tube:
      return draw_tracheostomy_tube(canvas, body, rng);
    case ObjectKind::shoulder_prosthesis:
      return draw_shoulder_prosthesis(canvas, body, rng);
    case ObjectKind::vertebral_cement:
      return draw_vertebral_cement(canvas, body, rng);
    case ObjectKind::aortic_stent_graft:
      return draw_aortic_stent_graft(canvas, body, rng);
    case ObjectKind::metal_fragments:
      return draw_metal_fragments(canvas, body, rng);
    case ObjectKind::ecg_electrodes:
      return draw_ecg_electrodes(canvas, body, rng);
  }
  throw std::invalid_argument("draw_foreign_objects: unknown object kind");
}

// The label an object of `kind` gives when its record carries none.
std::string default_label(ObjectKind kind) {
  switch (kind) {
    case ObjectKind::pacemaker:
      return kPacemaker;
    case ObjectKind::central_venous_catheter:
      return "central venous catheter via jugular vein";
    case ObjectKind::nasogastric_tube:
      return "NSG tube";
    case ObjectKind::endotracheal_tube:
      return "endotracheal tube";
    case ObjectKind::chest_drain:
      return "chest drain tube";
    case ObjectKind::sternotomy_wires:
      return "sternotomy";
    case ObjectKind::osteosynthesis:
      return "osteosynthesis material";
    case ObjectKind::heart_valve_ring:
      return "artificial heart valve";
    case ObjectKind::surgical_clips:
      return "suture material";
    case ObjectKind::ring:
      return "external foreign body";
    case ObjectKind::port_catheter:
      return "reservoir central venous catheter";
    case ObjectKind::pulmonary_artery_catheter:
      return "Swan Ganz catheter";
    case ObjectKind::tracheostomy_tube:
      return "tracheostomy tube";
    case ObjectKind::shoulder_prosthesis:
      return "humeral prosthesis";
    case ObjectKind::vertebral_cement:
      return "bone cement";
    case ObjectKind::aortic_stent_graft:
      return "aortic endoprosthesis";
    case ObjectKind::metal_fragments:
      return "metal";
    case ObjectKind::ecg_electrodes:
      return "electrical device";
  }
  return "";
}

}  // namespace

ObjectLayer draw_foreign_objects(const std::vector<ObjectKind>& kinds, const AnatomyLandmarks& anatomy, Rng& rng) {
  if (anatomy.size.width <= 0 || anatomy.size.height <= 0) {
    throw std::invalid_argument("draw_foreign_objects: landmarks have no image size");
  }
  const BodyFrame body(anatomy);
  ObjectLayer layer;
  layer.density = cv::Mat::zeros(anatomy.size, CV_32FC1);
  for (ObjectKind kind : kinds) {
    ObjectCanvas canvas(anatomy.size);
    const std::string label = draw_one(kind, canvas, body, rng);
    // Focal-spot blur of 0.15-0.35 mm, but at least a third of a pixel so small images keep
    // soft edges too.
    canvas.soften(std::clamp(static_cast<double>(body.mm(static_cast<float>(rng.uniform(0.15, 0.35)))), 0.35, 3.0));
    const cv::Rect bbox = cv::boundingRect(canvas.density() > 0);
    if (bbox.empty()) continue;  // drawn wholly outside the image: nothing to report
    layer.density += canvas.density();
    layer.objects.push_back(PlacedObject{kind, label, bbox});
  }
  layer.mask = layer.density > 0;
  return layer;
}

// A pacemaker's record carries its chamber label; the image gets "pacemaker" as well.
std::vector<std::string> padchest_labels(const PlacedObject& object) {
  if (object.kind == ObjectKind::pacemaker) {
    if (object.label == kDualChamber || object.label == kSingleChamber) return {kPacemaker, object.label};
    return {kPacemaker};
  }
  return {object.label.empty() ? default_label(object.kind) : object.label};
}

}  // namespace medanon::synth

#pragma once
// One drawing function per foreign-object kind (internal to foreign_objects.cpp). Each paints
// one object into `canvas`, placed relative to `body`, and returns the PadChest label it gives
// the image (for a pacemaker, the chamber label; see padchest_labels()).

#include <string>

#include "synth/body_geometry.hpp"
#include "synth/object_canvas.hpp"
#include "synth/random.hpp"

namespace medanon::synth {

// objects_cardiac.cpp
std::string draw_pacemaker(ObjectCanvas& canvas, const BodyFrame& body, Rng& rng);
std::string draw_heart_valve_ring(ObjectCanvas& canvas, const BodyFrame& body, Rng& rng);

// objects_tubes.cpp
std::string draw_central_venous_catheter(ObjectCanvas& canvas, const BodyFrame& body, Rng& rng);
std::string draw_nasogastric_tube(ObjectCanvas& canvas, const BodyFrame& body, Rng& rng);
std::string draw_endotracheal_tube(ObjectCanvas& canvas, const BodyFrame& body, Rng& rng);
std::string draw_chest_drain(ObjectCanvas& canvas, const BodyFrame& body, Rng& rng);
std::string draw_pulmonary_artery_catheter(ObjectCanvas& canvas, const BodyFrame& body, Rng& rng);
std::string draw_tracheostomy_tube(ObjectCanvas& canvas, const BodyFrame& body, Rng& rng);

// objects_surgical.cpp
std::string draw_sternotomy_wires(ObjectCanvas& canvas, const BodyFrame& body, Rng& rng);
std::string draw_osteosynthesis(ObjectCanvas& canvas, const BodyFrame& body, Rng& rng);
std::string draw_surgical_clips(ObjectCanvas& canvas, const BodyFrame& body, Rng& rng);

// objects_external.cpp
std::string draw_ring(ObjectCanvas& canvas, const BodyFrame& body, Rng& rng);
std::string draw_metal_fragments(ObjectCanvas& canvas, const BodyFrame& body, Rng& rng);
std::string draw_ecg_electrodes(ObjectCanvas& canvas, const BodyFrame& body, Rng& rng);

// objects_implants.cpp
std::string draw_port_catheter(ObjectCanvas& canvas, const BodyFrame& body, Rng& rng);
std::string draw_shoulder_prosthesis(ObjectCanvas& canvas, const BodyFrame& body, Rng& rng);
std::string draw_vertebral_cement(ObjectCanvas& canvas, const BodyFrame& body, Rng& rng);
std::string draw_aortic_stent_graft(ObjectCanvas& canvas, const BodyFrame& body, Rng& rng);

}  // namespace medanon::synth

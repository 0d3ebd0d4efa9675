#pragma once
// One synthetic radiograph: anatomy + foreign objects as attenuation, detector exposure and
// noise, quantisation to the planned bit depth, then burned-in text on the stored pixels.

#include <cstdint>

#include "synth/corpus_plan.hpp"
#include "synth/records.hpp"

namespace medanon::synth {

// Components can be switched off for tests; the random streams are independent, so switching
// one off leaves the others' pixels unchanged.
struct RenderSwitches {
  bool objects = true;
  bool text = true;
  bool noise = true;
};

RenderedImage render_radiograph(const CorpusPlan& plan, const ImagePlan& image,
                                const RenderSwitches& switches = {});

// The largest stored value for a bit depth (2^bits - 1).
int max_value_for_bits(int bits_stored);

}  // namespace medanon::synth

#pragma once
// PadChest's labels CSV (PADCHEST_chest_x_ray_images_labels_160K_01.02.19.csv) for the
// synthetic PadChest images: the columns the pipeline and the MAE training read, spelled and
// formatted as in the original (Labels as a Python list literal, dates as YYYYMMDD).

#include <string>
#include <vector>

#include "synth/corpus_plan.hpp"

namespace medanon::synth {

// `labels_by_image[i]` are the labels of plan.images[i] (only PadChest images are written).
std::string padchest_csv(const CorpusPlan& plan, const std::vector<std::vector<std::string>>& labels_by_image);

// "['pacemaker', 'dual chamber device']" as pandas writes a Python list.
std::string python_list_literal(const std::vector<std::string>& items);

}  // namespace medanon::synth

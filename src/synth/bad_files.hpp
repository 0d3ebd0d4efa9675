#pragma once
// Deliberately broken inputs for the error paths: each is a kind of file real datasets
// contain, and each must end as a clear per-item error (or a gate rejection), never a crash.

#include <string>
#include <vector>

#include "synth/corpus_plan.hpp"
#include "synth/ground_truth.hpp"

namespace medanon::synth {

// Writes the files under <root>/bad/ and returns their records. Run by one rank.
std::vector<BadFile> write_bad_files(const std::string& root, const CorpusPlan& plan);

}  // namespace medanon::synth

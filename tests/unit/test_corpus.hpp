#pragma once
// A synthetic corpus made once per test process (ctest runs each gtest in its own process) and
// removed when the process ends.

#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <string>

#include "synth/corpus.hpp"
#include "tests/unit/test_world.hpp"

namespace medanon::testing {

struct TemporaryCorpus {
  std::filesystem::path dir;
  TemporaryCorpus(const std::string& name, int count, std::uint64_t seed, int size, double dicom_fraction)
      : dir(std::filesystem::temp_directory_path() / ("medanon_" + name + "_" + std::to_string(::getpid()))) {
    std::filesystem::remove_all(dir);
    synth::SynthJobOptions options;
    options.corpus.count = count;
    options.corpus.seed = seed;
    options.corpus.size = size;
    options.corpus.dicom_fraction = dicom_fraction;
    options.out = dir.string();
    synth::generate_corpus(options, test_world());
  }
  ~TemporaryCorpus() {
    std::error_code ignored;
    std::filesystem::remove_all(dir, ignored);
  }
};

}  // namespace medanon::testing

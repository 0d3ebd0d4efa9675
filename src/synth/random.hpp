#pragma once
// Deterministic random numbers for the synthetic corpus.
//
// std::normal_distribution & co. are implementation-defined, so the same seed may give other
// numbers with another standard library; the corpus promises "same seed => same bytes", so
// the generator (xoshiro256**) and the distributions are our own.
//
// Every image draws from independent streams keyed by (corpus seed, image index, stream), so
// an image renders the same whichever rank renders it, and turning one component off (e.g.
// objects) leaves the anatomy, noise and text of that image unchanged.

#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <vector>

namespace medanon::synth {

enum class Stream : std::uint64_t {
  plan = 1,      // corpus-level decisions (identities, layouts, which objects)
  anatomy = 2,   // body shape, lungs, ribs, exposure
  objects = 3,   // foreign-object geometry
  text = 4,      // burned-in text placement and style
  noise = 5,     // quantum + electronic noise
  dicom = 6,     // header extras
  bad_files = 7, // the deliberately broken files
  archive_objects = 8,  // the CT/MR/US/SR objects beside each DICOM file (archive_objects.hpp)
  hard_negatives = 9,   // whether an image has calcifications / bone islands, and where (hard_negatives.hpp)
};

class Rng {
 public:
  explicit Rng(std::uint64_t seed) {
    for (auto& word : state_) word = splitmix64(seed);
  }

  // An independent stream for one (seed, item, purpose) triple.
  static Rng stream(std::uint64_t corpus_seed, std::uint64_t item, Stream purpose) {
    std::uint64_t mixed = corpus_seed;
    mixed = splitmix64(mixed) ^ (item * 0x9E3779B97F4A7C15ULL);
    mixed = splitmix64(mixed) ^ (static_cast<std::uint64_t>(purpose) * 0xD1B54A32D192ED03ULL);
    return Rng(mixed);
  }

  std::uint64_t next() {
    const std::uint64_t result = rotl(state_[1] * 5, 7) * 9;
    const std::uint64_t t = state_[1] << 17;
    state_[2] ^= state_[0];
    state_[3] ^= state_[1];
    state_[1] ^= state_[2];
    state_[0] ^= state_[3];
    state_[2] ^= t;
    state_[3] = rotl(state_[3], 45);
    return result;
  }

  // Uniform in [0, 1) with 53 random bits.
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
  double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }

  // Uniform integer in [lo, hi] (inclusive).
  int uniform_int(int lo, int hi) {
    if (hi < lo) throw std::invalid_argument("Rng::uniform_int: empty range");
    const std::uint64_t span = static_cast<std::uint64_t>(hi) - static_cast<std::uint64_t>(lo) + 1;
    return static_cast<int>(static_cast<std::uint64_t>(lo) + next() % span);
  }

  bool bernoulli(double p) { return uniform() < p; }

  // Box-Muller; the second value is discarded to keep the stream position simple.
  double normal(double mean = 0.0, double sd = 1.0) {
    double u1 = uniform();
    while (u1 <= 0.0) u1 = uniform();
    const double u2 = uniform();
    return mean + sd * std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
  }

  template <class T>
  const T& pick(const std::vector<T>& items) {
    if (items.empty()) throw std::invalid_argument("Rng::pick: empty list");
    return items[static_cast<size_t>(uniform_int(0, static_cast<int>(items.size()) - 1))];
  }

 private:
  static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  static std::uint64_t splitmix64(std::uint64_t& x) {
    std::uint64_t z = (x += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }

  std::uint64_t state_[4];
};

}  // namespace medanon::synth

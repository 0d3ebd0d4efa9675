#include "synth/radiograph.hpp"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>

#include "synth/anatomy.hpp"
#include "synth/burned_text.hpp"
#include "synth/foreign_objects.hpp"
#include "synth/hard_negatives.hpp"

namespace medanon::synth {
namespace {

// Detector response: attenuation -> displayed brightness (MONOCHROME2). Each image gets its
// own black level, white level and gamma, like films exposed and processed differently.
struct Exposure {
  double black, white, gamma;
  double electronic_noise;  // fraction of full scale
  double quantum_noise;     // fraction of full scale at the darkest (most exposed) pixels
};

Exposure draw_exposure(Rng& rng) {
  Exposure e{};
  e.black = rng.uniform(0.0, 0.08);
  e.white = rng.uniform(0.82, 0.98);
  e.gamma = rng.uniform(0.8, 1.3);
  e.electronic_noise = rng.uniform(0.002, 0.006);
  e.quantum_noise = rng.uniform(0.008, 0.02);
  return e;
}

// Collimator shutters: a third of films show bright or dark bands at one or two edges, which
// is where burned-in text often sits. Returns the shuttered area: nothing behind it reaches the
// detector, so no object can be seen there.
cv::Mat apply_collimation(cv::Mat& brightness, Rng& rng) {
  cv::Mat shuttered = cv::Mat::zeros(brightness.size(), CV_8UC1);
  if (!rng.bernoulli(0.33)) return shuttered;
  const int edges = rng.uniform_int(1, 2);
  for (int e = 0; e < edges; ++e) {
    const int side = rng.uniform_int(0, 3);
    const double value = rng.bernoulli(0.5) ? rng.uniform(0.85, 0.97) : rng.uniform(0.0, 0.05);
    const int depth = static_cast<int>(rng.uniform(0.02, 0.06) * (side < 2 ? brightness.cols : brightness.rows));
    cv::Rect band;
    switch (side) {
      case 0: band = cv::Rect(0, 0, depth, brightness.rows); break;
      case 1: band = cv::Rect(brightness.cols - depth, 0, depth, brightness.rows); break;
      case 2: band = cv::Rect(0, 0, brightness.cols, depth); break;
      default: band = cv::Rect(0, brightness.rows - depth, brightness.cols, depth); break;
    }
    brightness(band).setTo(value);
    shuttered(band).setTo(255);
  }
  return shuttered;
}

// Signal-dependent noise: quantum noise grows where fewer photons arrive... on the detector
// that is the bright (attenuating) side; electronic noise is constant. Slightly correlated,
// as detector noise is after the scintillator's blur.
void add_noise(cv::Mat& brightness, const Exposure& e, Rng& rng) {
  cv::Mat noise(brightness.size(), CV_32FC1);
  for (int y = 0; y < noise.rows; ++y) {
    float* row = noise.ptr<float>(y);
    for (int x = 0; x < noise.cols; ++x) row[x] = static_cast<float>(rng.normal());
  }
  cv::GaussianBlur(noise, noise, cv::Size(3, 3), 0.6);
  cv::Mat sigma = cv::max(brightness, 0.0);
  cv::sqrt(sigma, sigma);
  sigma = sigma * (e.quantum_noise * 1.6) + e.electronic_noise;  // 1.6 restores the blur's loss
  brightness += noise.mul(sigma);
}

}  // namespace

int max_value_for_bits(int bits_stored) { return (1 << bits_stored) - 1; }

RenderedImage render_radiograph(const CorpusPlan& plan, const ImagePlan& image, const RenderSwitches& switches) {
  const std::uint64_t seed = plan.options.seed;
  Rng anatomy_rng = Rng::stream(seed, static_cast<std::uint64_t>(image.index), Stream::anatomy);
  AnatomyImage anatomy = render_anatomy(image, anatomy_rng);
  const Exposure exposure = draw_exposure(anatomy_rng);

  RenderedImage result;
  cv::Mat density = anatomy.density;
  result.object_mask = cv::Mat::zeros(density.size(), CV_8UC1);
  if (switches.objects && !image.objects.empty()) {
    Rng object_rng = Rng::stream(seed, static_cast<std::uint64_t>(image.index), Stream::objects);
    ObjectLayer layer = draw_foreign_objects(image.objects, anatomy.landmarks, object_rng);
    density = density + layer.density;
    result.object_mask = layer.mask;
    result.objects = layer.objects;
  }

  result.hard_negative_mask = cv::Mat::zeros(density.size(), CV_8UC1);
  if (plan.options.hard_negative_fraction > 0) {
    // their own stream: whether and where, so that the other streams' pixels stay as they were
    Rng hard_rng = Rng::stream(seed, static_cast<std::uint64_t>(image.index), Stream::hard_negatives);
    if (hard_rng.bernoulli(plan.options.hard_negative_fraction)) {
      HardNegativeLayer layer = draw_hard_negatives(anatomy.landmarks, anatomy.lung_mask, hard_rng);
      density = density + layer.density;
      result.hard_negative_mask = layer.mask;
      for (const auto& finding : layer.findings) result.hard_negatives.emplace_back(finding.kind, finding.bbox);
    }
  }

  cv::Mat brightness = cv::max(density, 0.0);
  brightness = cv::min(brightness, 1.0);
  cv::pow(brightness, exposure.gamma, brightness);
  brightness = brightness * (exposure.white - exposure.black) + exposure.black;
  const cv::Mat shuttered = apply_collimation(brightness, anatomy_rng);
  result.object_mask.setTo(0, shuttered);
  result.hard_negative_mask.setTo(0, shuttered);
  if (switches.noise) {
    Rng noise_rng = Rng::stream(seed, static_cast<std::uint64_t>(image.index), Stream::noise);
    add_noise(brightness, exposure, noise_rng);
  }

  const int max_value = max_value_for_bits(image.bits_stored);
  cv::Mat clipped = cv::max(brightness, 0.0);
  clipped = cv::min(clipped, 1.0);
  clipped.convertTo(result.pixels, image.bits_stored <= 8 ? CV_8UC1 : CV_16UC1, max_value);

  if (switches.text) {
    Rng text_rng = Rng::stream(seed, static_cast<std::uint64_t>(image.index), Stream::text);
    auto lines = compose_text_lines(plan.patients.at(static_cast<size_t>(image.patient)),
                                    plan.studies.at(static_cast<size_t>(image.study)), image, text_rng);
    if (!plan.options.burned_text) {
      lines.erase(std::remove_if(lines.begin(), lines.end(), [](const TextLine& line) { return line.field != "Marker"; }),
                  lines.end());
    }
    result.text = burn_text(result.pixels, max_value, lines, text_rng);
  }

  for (const auto& object : result.objects) {
    for (const auto& label : padchest_labels(object)) {
      if (std::find(result.labels.begin(), result.labels.end(), label) == result.labels.end()) {
        result.labels.push_back(label);
      }
    }
  }
  if (image.cardiomegaly) result.labels.push_back("cardiomegaly");
  if (result.labels.empty()) result.labels.push_back("normal");
  return result;
}

}  // namespace medanon::synth

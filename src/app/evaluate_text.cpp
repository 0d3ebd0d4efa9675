// `medanon evaluate text`: burned-in text redaction scored against the synthetic ground truth.
// Until the runner (`medanon anonymize`, issue #6) writes runs, it runs the pixel stages itself
// over the corpus (--corpus), in-process, ranks sharing the images round-robin, and scores the
// redacted pixels against the original files: border PHI recall, non-text pixels altered,
// technical text kept, central PHI flagged, bad files rejected.

#include <opencv2/imgproc.hpp>

#include <chrono>
#include <ctime>
#include <cstdio>
#include <filesystem>
#include <memory>

#include "app/evaluate_commands.hpp"
#include "app/pixel_options.hpp"
#include "core/errors.hpp"
#include "core/exit_codes.hpp"
#include "core/log.hpp"
#include "io/atomic_file.hpp"
#include "io/image_codecs.hpp"
#include "io/png_encoding.hpp"
#include "evaluation/corpus_truth.hpp"
#include "pixel/image_validation.hpp"
#include "evaluation/review_overlay.hpp"

namespace medanon::app {
namespace {

struct EvaluateTextOptions {
  std::string corpus;
  std::string out;  // optional: overlays + misses list
  int limit = 0;    // 0 = every image
  pixel::PixelOptions pixel;
};

// CPU time of every thread of the process: on a machine shared with other jobs the wall clock
// counts their time too, the CPU time only ours (what one rank per core would really cost).
double process_cpu_seconds() {
  timespec now{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) + 1e-9 * static_cast<double>(now.tv_nsec);
}

std::string file_name(const std::string& path) { return std::filesystem::path(path).filename().string(); }

int run_evaluate_text(const EvaluateTextOptions& options, const mpi::Communicator& comm) {
  const evaluation::CorpusTruth truth = evaluation::read_corpus_truth(options.corpus);
  const auto padchest_values = evaluation::read_padchest_values(options.corpus + "/padchest/padchest_labels.csv");
  pixel::PixelPipeline pipeline(options.pixel);
  evaluation::TextScore score;
  long long failed = 0, ocr_calls = 0, ocr_pixels = 0;
  std::map<std::string, long long> found_by;
  long long altered_pixels = 0, all_pixels = 0, images_altered = 0;
  double worst_image_share = 0;
  std::string worst_image, degraded;
  double seconds = 0, seconds_read = 0, seconds_gate = 0, seconds_detect = 0, seconds_ocr = 0, seconds_redact = 0, seconds_encode = 0, cpu_seconds = 0;
  const size_t count = options.limit > 0 ? std::min<size_t>(truth.images.size(), static_cast<size_t>(options.limit))
                                         : truth.images.size();
  for (size_t i = static_cast<size_t>(comm.rank()); i < count; i += static_cast<size_t>(comm.size())) {
    const evaluation::TruthImage& image = truth.images[i];
    const std::string path = options.corpus + "/" + image.path;
    const auto row = padchest_values.find(file_name(image.path));
    const double cpu_start = process_cpu_seconds();
    const pixel::PixelResult result =
        pipeline.process_file(path, row == padchest_values.end() ? pixel::IdentifyingValues{} : row->second);
    if (result.status == pixel::ImageStatus::processed) {
      // Stage 7's cost as the runner will pay it: the redacted pixels encoded as PNG.
      const auto start = std::chrono::steady_clock::now();
      const std::vector<std::uint8_t> encoded = io::encode_png(result.image.pixels, options.pixel.png_compression);
      seconds_encode += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    }
    cpu_seconds += process_cpu_seconds() - cpu_start;
    seconds += result.seconds_total;
    seconds_read += result.seconds_read, seconds_detect += result.seconds_detect, seconds_ocr += result.seconds_ocr;
    seconds_gate += result.seconds_gate, seconds_redact += result.seconds_redact;
    ocr_calls += result.ocr_calls, ocr_pixels += result.ocr_pixels;
    if (result.status != pixel::ImageStatus::processed) {
      ++failed;
      log::rank_warn(image.path + ": " + to_string(result.status) + ": " + result.reason);
      continue;
    }
    // The original pixels, read again: the pipeline consumed its own copy.
    const pixel::ReadResult original = pixel::read_and_validate(path);
    cv::Mat before = pixel::grey_if_achromatic(original.image.pixels);
    score.add(evaluation::score_image(image.path, before, result.image.pixels, image.words, result.text));
    {
      // Every altered pixel, text or not: on a text-free corpus all of them are damage.
      cv::Mat changed;
      cv::compare(before, result.image.pixels, changed, cv::CMP_NE);
      if (changed.channels() > 1) cv::cvtColor(changed, changed, cv::COLOR_BGR2GRAY);
      const long long altered = cv::countNonZero(changed);
      altered_pixels += altered, all_pixels += static_cast<long long>(changed.total());
      const double share = static_cast<double>(altered) / std::max<size_t>(1, changed.total());
      if (share > worst_image_share) worst_image_share = share, worst_image = image.path;
      images_altered += altered > 0;
    }
    if (!pipeline.degraded().empty()) degraded = pipeline.degraded();
    for (const auto& word : result.text) ++found_by[to_string(word.found_by)];
    if (!options.out.empty()) {
      const cv::Mat overlay = evaluation::render_review_overlay(result.image, result.text);
      const std::string overlay_path = options.out + "/overlays/" + std::to_string(image.index) + ".png";
      std::vector<std::uint8_t> png;
      io::image_encode(".png", overlay, png);
      io::write_bytes_atomically(overlay_path, png);
    }
  }

  // Bad files: rank 0 checks they are turned away with a reason, not a crash.
  long long bad_ok = 0;
  std::string bad_report;
  if (comm.is_root()) {
    for (const auto& bad : truth.bad_files) {
      const pixel::PixelResult result = pipeline.process_file(options.corpus + "/" + bad.path);
      const bool as_expected = bad.expect == "gate" ? result.status == pixel::ImageStatus::not_medical
                                                    : result.status == pixel::ImageStatus::invalid;
      bad_ok += as_expected;
      bad_report += "  " + bad.path + ": " + to_string(result.status) + " (" + result.reason + ")" +
                    (as_expected ? "" : "  <-- expected " + bad.expect) + "\n";
    }
  }

  // Totals over ranks; the misses list is gathered to rank 0.
  evaluation::TextScore total;
  for (auto [mine, sum] : std::vector<std::pair<long long, long long*>>{
           {score.border_phi, &total.border_phi}, {score.border_phi_removed, &total.border_phi_removed},
           {score.central_phi, &total.central_phi}, {score.central_phi_flagged, &total.central_phi_flagged},
           {score.technical, &total.technical}, {score.technical_kept, &total.technical_kept},
           {score.labels, &total.labels}, {score.labels_kept, &total.labels_kept},
           {score.non_text_pixels, &total.non_text_pixels}, {score.non_text_altered, &total.non_text_altered},
           {score.images, &total.images}, {score.images_flagged, &total.images_flagged}}) {
    *sum = comm.allreduce_sum(mine);
  }
  const long long failed_total = comm.allreduce_sum(failed);
  const long long milliseconds = comm.allreduce_sum(static_cast<long long>((seconds + seconds_encode) * 1000));
  const long long calls_total = comm.allreduce_sum(ocr_calls), ocr_pixels_total = comm.allreduce_sum(ocr_pixels);
  const long long cpu_ms = comm.allreduce_sum(static_cast<long long>(cpu_seconds * 1000));
  const long long gate_ms = comm.allreduce_sum(static_cast<long long>(seconds_gate * 1000));
  const long long redact_ms = comm.allreduce_sum(static_cast<long long>(seconds_redact * 1000));
  const long long encode_ms = comm.allreduce_sum(static_cast<long long>(seconds_encode * 1000));
  const long long read_ms = comm.allreduce_sum(static_cast<long long>(seconds_read * 1000));
  const long long detect_ms = comm.allreduce_sum(static_cast<long long>(seconds_detect * 1000));
  const long long ocr_ms = comm.allreduce_sum(static_cast<long long>(seconds_ocr * 1000));
  const long long altered_total = comm.allreduce_sum(altered_pixels), pixels_total = comm.allreduce_sum(all_pixels);
  const long long images_altered_total = comm.allreduce_sum(images_altered);
  // The worst image over ranks: its share in parts per billion, then its name from the rank holding it.
  const long long worst_ppb = comm.allreduce_max(static_cast<long long>(worst_image_share * 1e9));
  const std::vector<std::string> worst_names =
      comm.gather_strings(static_cast<long long>(worst_image_share * 1e9) == worst_ppb ? worst_image : "");
  std::string worst_name;
  for (const auto& name : worst_names) if (!name.empty()) worst_name = name;
  std::string my_misses;
  for (const auto& miss : score.misses) my_misses += "  " + miss + "\n";
  const std::vector<std::string> misses = comm.gather_strings(my_misses);
  std::map<std::string, long long> found_total;
  for (const char* name : {"stroke", "tesseract", "both", "learned", "stored-values"}) found_total[name] = comm.allreduce_sum(found_by[name]);
  if (!comm.is_root()) return to_int(ExitCode::ok);

  auto per_image = [&](long long ms) { return total.images > 0 ? ms / 1000.0 / total.images : 0.0; };
  std::string all_misses;
  for (const auto& m : misses) all_misses += m;
  std::printf(
      "evaluate text: %lld images (%lld failed), %.3f s per image per rank (%.2f images/s): read %.3f, gate %.3f, "
      "detect %.3f, ocr %.3f, redact %.3f, encode %.3f s\n"
      "  CPU time per image (all threads, stages 1-7): %.3f s (%.2f images/s per core)\n"
      "  Tesseract calls per image: %.1f (%.2f Mpixel)\n"
      "  border PHI recall (>= 95 %% of box pixels changed): %.4f (%lld of %lld)\n"
      "  non-text pixels altered:                            %.5f (%lld of %lld)\n"
      "  technical text kept:                                %.4f (%lld of %lld)\n"
      "  field labels kept:                                  %.4f (%lld of %lld)\n"
      "  central PHI flagged for review:                     %.4f (%lld of %lld)\n"
      "  detections found by stroke only / tesseract only / both / learned detector only / stored values only: %lld / %lld / %lld / %lld / %lld\n"
      "  bad files handled as expected: %lld of %zu\n%s",
      total.images, failed_total, per_image(milliseconds), per_image(milliseconds) > 0 ? 1.0 / per_image(milliseconds) : 0.0,
      per_image(read_ms), per_image(gate_ms), per_image(detect_ms), per_image(ocr_ms), per_image(redact_ms), per_image(encode_ms),
      per_image(cpu_ms), per_image(cpu_ms) > 0 ? 1.0 / per_image(cpu_ms) : 0.0,
      total.images > 0 ? static_cast<double>(calls_total) / total.images : 0.0,
      total.images > 0 ? ocr_pixels_total / 1e6 / total.images : 0.0, total.border_phi_recall(),
      total.border_phi_removed, total.border_phi, total.non_text_altered_fraction(), total.non_text_altered,
      total.non_text_pixels, total.technical_kept_rate(), total.technical_kept, total.technical,
      total.share(total.labels_kept, total.labels), total.labels_kept, total.labels, total.central_phi_flag_rate(),
      total.central_phi_flagged, total.central_phi, found_total["stroke"], found_total["tesseract"], found_total["both"], found_total["learned"],
      found_total["stored-values"],
      bad_ok, truth.bad_files.size(), bad_report.c_str());
  std::printf("  all pixels altered (text-free corpora: damage): %.5f %% (%lld of %lld); images altered: %lld; "
              "worst image %.4f %% (%s)\n",
              pixels_total > 0 ? 100.0 * altered_total / pixels_total : 0.0, altered_total, pixels_total,
              images_altered_total, worst_ppb / 1e7, worst_name.c_str());
  std::printf("  images with words flagged for review: %lld of %lld\n", total.images_flagged, total.images);
  std::printf("  learned text detector: %s\n", degraded.empty() ? (options.pixel.learned.enabled ? "on" : "off") : ("DEGRADED: " + degraded).c_str());
  if (!all_misses.empty()) std::printf("  misses:\n%s", all_misses.c_str());
  std::fflush(stdout);
  if (!options.out.empty()) io::write_text_atomically(options.out + "/misses.txt", all_misses);
  return to_int(ExitCode::ok);
}

}  // namespace

Command setup_evaluate_text(CLI::App& evaluate) {
  auto options = std::make_shared<EvaluateTextOptions>();
  CLI::App* command = evaluate.add_subcommand(
      "text", "burned-in text redaction against the ground truth (runs the pixel stages over --corpus)");
  command->add_option("--corpus", options->corpus, "a synth corpus folder (with ground_truth.json)")
      ->required()
      ->check(CLI::ExistingDirectory);
  command->add_option("--out", options->out, "optional folder for review overlays and the list of misses");
  command->add_option("--limit", options->limit, "score only the first N images (0 = all)")
      ->check(CLI::Range(0, 100000000))
      ->capture_default_str();
  command->add_flag("--whole-image-ocr", options->pixel.whole_image_ocr,
                    "benchmark baseline: Tesseract over each whole image instead of stroke triage + candidate lines");
  add_pixel_options(*command, options->pixel);
  auto run = [options](const mpi::Communicator& comm) { return run_evaluate_text(*options, comm); };
  return {command, run};
}

}  // namespace medanon::app

// `medanon inspect`: what the pixel stages decide for each input, printed per image and, with
// --overlay, drawn as a review PNG per image (PHI redacted red, technical text kept green,
// central text for review yellow). With --audit it prints an anonymize run's HDF5 audit instead
// (inspect_audit.cpp).

#include <cstdio>
#include <filesystem>
#include <memory>

#include "app/command.hpp"
#include "app/inspect_audit.hpp"
#include "app/pixel_options.hpp"
#include "core/errors.hpp"
#include "core/exit_codes.hpp"
#include "io/atomic_file.hpp"
#include "evaluation/review_overlay.hpp"
#include "io/image_codecs.hpp"

namespace medanon::app {
namespace {

namespace fs = std::filesystem;

struct InspectOptions {
  std::vector<std::string> inputs;
  std::string audit;  // an anonymize run's HDF5 file: print it instead of running the stages
  std::string out;
  bool overlay = false;
  int overlay_rows = 1024;
  pixel::PixelOptions pixel;
};

bool is_image_name(const fs::path& path) {
  static const std::vector<std::string> kExtensions = {".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp", ".dcm", ".dicom"};
  std::string extension = path.extension().string();
  for (char& c : extension) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return std::find(kExtensions.begin(), kExtensions.end(), extension) != kExtensions.end();
}

std::vector<std::string> collect_inputs(const std::vector<std::string>& inputs) {
  std::vector<std::string> files;
  for (const std::string& input : inputs) {
    if (fs::is_directory(input)) {
      for (const auto& entry : fs::recursive_directory_iterator(input)) {
        if (entry.is_regular_file() && is_image_name(entry.path())) files.push_back(entry.path().string());
      }
    } else if (fs::exists(input)) {
      files.push_back(input);
    } else {
      throw InputError("no such file or folder: " + input, Scope::all_ranks);
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

// A flat, unique overlay name for an input path (folders in archives carry meaning).
std::string overlay_name(const std::string& path) {
  std::string name = fs::path(path).relative_path().string();
  for (char& c : name) {
    if (c == '/' || c == '\\') c = '_';
  }
  return name + ".overlay.png";
}

int run_inspect(const InspectOptions& options, const mpi::Communicator& comm) {
  if (options.overlay && options.out.empty()) throw UsageError("--overlay needs --out DIR", Scope::all_ranks);
  const std::vector<std::string> files = collect_inputs(options.inputs);
  pixel::PixelPipeline pipeline(options.pixel);
  long long failed = 0;
  for (size_t i = static_cast<size_t>(comm.rank()); i < files.size(); i += static_cast<size_t>(comm.size())) {
    const pixel::PixelResult result = pipeline.process_file(files[i]);
    std::string line = files[i] + ": " + to_string(result.status);
    if (result.status != pixel::ImageStatus::processed) {
      ++failed;
      line += " (" + result.reason + ")";
    } else {
      line += ", " + std::string(to_string(result.gate.anatomy)) + ", " + std::to_string(result.redacted) +
              " redacted, " + std::to_string(result.kept) + " kept, " + std::to_string(result.review) + " for review";
      for (const auto& word : result.text) {
        line += "\n    [" + std::string(to_string(word.action)) + "] " +
                (word.text.empty() ? std::string("(unread)") : "'" + word.text + "'") + " " +
                to_string(word.word_class) + " by " + to_string(word.found_by) + " at " + std::to_string(word.box.x) +
                "," + std::to_string(word.box.y) + " " + std::to_string(word.box.width) + "x" +
                std::to_string(word.box.height) + ": " + word.why;
      }
      if (options.overlay) {
        std::vector<std::uint8_t> png;
        io::image_encode(".png", evaluation::render_review_overlay(result.image, result.text, {}, options.overlay_rows), png);
        io::write_bytes_atomically(options.out + "/" + overlay_name(files[i]), png);
      }
    }
    std::printf("%s\n", line.c_str());
  }
  std::fflush(stdout);
  const long long failed_total = comm.allreduce_sum(failed);
  return to_int(failed_total > 0 ? ExitCode::some_items_failed : ExitCode::ok);
}

}  // namespace

Command setup_inspect(CLI::App& parent) {
  auto options = std::make_shared<InspectOptions>();
  CLI::App* command = parent.add_subcommand(
      "inspect", "run the pixel stages on images and show what they decide (review overlays), or print an audit");
  add_config_option(*command, "configs/inspect.toml");
  command->add_option("inputs", options->inputs, "image files or folders (searched recursively)");
  command->add_option("--audit", options->audit, "print this anonymize audit (HDF5) as a table instead");
  command->add_flag("--overlay", options->overlay, "write a review PNG per image to --out")->capture_default_str();
  command->add_option("--out", options->out, "folder for the overlays");
  command->add_option("--overlay-rows", options->overlay_rows, "overlays are scaled down to at most this many rows")
      ->check(CLI::Range(64, 16384))
      ->capture_default_str();
  add_pixel_options(*command, options->pixel);
  auto run = [options](const mpi::Communicator& comm) {
    if (!options->audit.empty()) return print_audit(options->audit, comm);
    if (options->inputs.empty()) throw UsageError("inputs are required: give image files or folders, or --audit FILE", Scope::all_ranks);
    return run_inspect(*options, comm);
  };
  return {command, run};
}

}  // namespace medanon::app

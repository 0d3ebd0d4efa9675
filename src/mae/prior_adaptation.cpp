// Fine-tuning the foreign-object prior on a site's normal images with synth's objects pasted in
// (see prior_adaptation.hpp for why and the collective contract).

#include "mae/prior_adaptation.hpp"

#include <torch/csrc/jit/serialization/pickle.h>
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <deque>
#include <filesystem>
#include <numeric>
#include <opencv2/imgproc.hpp>
#include <random>

#include "core/errors.hpp"
#include "core/log.hpp"
#include "io/atomic_file.hpp"
#include "mae/checkpoint.hpp"
#include "mae/device.hpp"
#include "mae/display_polarity.hpp"
#include "mae/gradient_averager.hpp"
#include "mae/object_prior.hpp"
#include "mae/object_prior_net.hpp"
#include "mae/radiograph_input.hpp"
#include "mae/torch_save_reader.hpp"
#include "synth/corpus_plan.hpp"
#include "synth/radiograph.hpp"

namespace medanon::mae {
namespace {

const char* object_kinds_name(const PriorAdaptationOptions& o) { return o.all_object_kinds ? "all" : "classic"; }

using Clock = std::chrono::steady_clock;

// What one synth image's objects add to its display, in the prior's view: the image through the
// prior's window with and without the objects (the same window: the one the prior computes on the
// image it is shown, which holds them), their difference, and where the objects show.
struct ObjectLayer {
  torch::Tensor increment;  // [view, view] in [0, 1]
  torch::Tensor mask;       // [view, view], 1 on object pixels that visibly brighten the view
};

// Object pixels whose increment is below this are not labelled: an object's faint end under
// the collimator or a tube over bright bone adds nothing the network could see.
constexpr float kVisibleIncrement = 0.03f;

std::vector<ObjectLayer> render_object_layers(const PriorCheckpoint& prior, const PriorAdaptationOptions& o,
                                              const mpi::Communicator& comm) {
  synth::CorpusOptions corpus;
  corpus.count = o.object_images;
  corpus.seed = o.seed * 1000003ULL + 4242;  // not any corpus's seed a user would choose
  corpus.size = 512;
  corpus.dicom_fraction = 0;
  corpus.object_fraction = 1;
  corpus.all_object_kinds = o.all_object_kinds;
  corpus.eight_bit_fraction = 0;
  const synth::CorpusPlan plan = synth::make_corpus_plan(corpus);
  std::vector<ObjectLayer> layers;
  for (std::size_t i = static_cast<std::size_t>(comm.rank()); i < plan.images.size();
       i += static_cast<std::size_t>(comm.size())) {
    const auto& image = plan.images[i];
    if (image.objects.empty()) continue;
    const auto with = synth::render_radiograph(plan, image, {/*objects=*/true, /*text=*/false, /*noise=*/true});
    const auto without = synth::render_radiograph(plan, image, {/*objects=*/false, /*text=*/false, /*noise=*/true});
    // the window of the image with its objects, applied to both
    const double low = image_percentile(with.pixels, prior.window_low),
                 high = image_percentile(with.pixels, prior.window_high);
    auto view_of = [&](const cv::Mat& pixels) { return windowed_view(pixels, prior.view, low, high)[0][0]; };
    const auto mask_view = windowed_view(with.object_mask, prior.view, 0, 255)[0][0];  // the share of object pixels
    const auto increment = (view_of(with.pixels) - view_of(without.pixels)).clamp(0, 1);
    const auto visible = ((mask_view > 0.25) & (increment > kVisibleIncrement)).to(torch::kFloat32);
    if (visible.sum().item<float>() < 4) continue;
    layers.push_back({increment, visible});
  }
  return layers;
}

// The site's images as the prior sees them: display polarity, the prior's window and view.
std::vector<torch::Tensor> load_site_views(const PriorCheckpoint& prior, const PriorAdaptationOptions& o,
                                           const mpi::Communicator& comm) {
  std::vector<std::string> chosen = o.images;
  if (o.max_images > 0 && chosen.size() > static_cast<std::size_t>(o.max_images)) {
    std::mt19937_64 rng(o.seed ^ 0x5eed5eedULL);  // the same sample on every rank
    std::shuffle(chosen.begin(), chosen.end(), rng);
    chosen.resize(static_cast<std::size_t>(o.max_images));
  }
  std::vector<torch::Tensor> views;
  for (std::size_t i = static_cast<std::size_t>(comm.rank()); i < chosen.size();
       i += static_cast<std::size_t>(comm.size())) {
    const std::string path = o.root + "/" + chosen[i];
    try {
      views.push_back(
          prior_input(display_polarity(read_radiograph(path)), prior.view, prior.window_low, prior.window_high)[0][0]);
    } catch (const std::exception& e) {  // the MAE's training read them already: rare, and one less is no harm
      log::warn("adapt: object prior: skipping " + path + ": " + e.what());
    }
  }
  return views;
}

// One crop of a site view, with a synth object pasted in at `paste` (else none), flipped and
// jittered as the base prior's training did (scripts/train_fo_prior.py), more gently: these are
// the site's own tones. Returns (image, target), each [crop, crop].
std::pair<torch::Tensor, torch::Tensor> training_crop(const torch::Tensor& site, const ObjectLayer* paste,
                                                      const PriorAdaptationOptions& o, std::mt19937_64& rng) {
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  const std::int64_t view = site.size(0), crop = o.crop;
  auto image = site;
  auto target = torch::zeros_like(site);
  std::int64_t top = static_cast<std::int64_t>(unit(rng) * static_cast<double>(view - crop + 1));
  std::int64_t left = static_cast<std::int64_t>(unit(rng) * static_cast<double>(view - crop + 1));
  if (paste != nullptr) {
    auto increment = paste->increment, mask = paste->mask;
    if (unit(rng) < 0.5) increment = increment.flip({1}), mask = mask.flip({1});
    const double strength = 0.5 + 0.8 * unit(rng);
    image = image + (1 - image) * (increment * strength).clamp(0, 1);
    target = mask;
    const auto on = mask.nonzero();
    if (on.size(0) > 0 && unit(rng) < 0.8) {  // most crops hold part of the object
      const auto pixel = on[static_cast<std::int64_t>(unit(rng) * static_cast<double>(on.size(0))) % on.size(0)];
      top = std::clamp<std::int64_t>(pixel[0].item<std::int64_t>() - static_cast<std::int64_t>(unit(rng) * crop), 0,
                                     view - crop);
      left = std::clamp<std::int64_t>(pixel[1].item<std::int64_t>() - static_cast<std::int64_t>(unit(rng) * crop), 0,
                                      view - crop);
    }
  }
  image = image.slice(0, top, top + crop).slice(1, left, left + crop);
  target = target.slice(0, top, top + crop).slice(1, left, left + crop);
  if (unit(rng) < 0.5) image = image.flip({1}), target = target.flip({1});
  std::normal_distribution<double> gamma(0.0, 0.2);
  image = image.clamp(0, 1).pow(std::exp(gamma(rng)));
  image = image + torch::randn_like(image) * (0.02 * unit(rng));
  return {image, target};
}

void write_prior(const std::string& path, UNet& net, const PriorCheckpoint& base, const PriorAdaptationOptions& o,
                 const PriorAdaptationSummary& s) {
  using GenericDict = c10::impl::GenericDict;
  auto dict = [] { return GenericDict(c10::StringType::get(), c10::AnyType::get()); };
  auto model = dict();
  for (const auto& [name, tensor] : state_dict_of(*net))
    model.insert(name, tensor.detach().to(torch::kCPU).contiguous());
  auto config = dict();
  config.insert("architecture", std::string("unet"));
  config.insert("channels", c10::List<std::int64_t>(base.channels));
  config.insert("view", static_cast<std::int64_t>(base.view));
  config.insert("window_low", base.window_low);
  config.insert("window_high", base.window_high);
  config.insert("adapted_from", o.base_prior);
  config.insert("site_steps", static_cast<std::int64_t>(s.steps));
  config.insert("site_images", static_cast<std::int64_t>(s.site_images));
  config.insert("object_layers", static_cast<std::int64_t>(s.object_layers));
  config.insert("seed", static_cast<std::int64_t>(o.seed));
  config.insert("object_kinds", std::string(object_kinds_name(o)));
  auto root = dict();
  root.insert("model", model);
  root.insert("config", config);
  const std::vector<char> bytes = torch::pickle_save(root);
  io::write_bytes_atomically(path, std::vector<std::uint8_t>(bytes.begin(), bytes.end()));
}

// `path` is already what these options make (a rerun after the prior was written): its config
// names the same base, steps, seed and object kinds (none recorded: classic, as before there was a choice).
bool already_adapted(const std::string& path, const PriorAdaptationOptions& o) {
  if (!std::filesystem::exists(path)) return false;
  try {
    const PyRef config = read_torch_save(path)->find("config");
    auto integer = [&](const char* key) {
      const PyRef v = config ? config->find(key) : nullptr;
      return v && v->kind == PyValue::Kind::integer ? v->integer : std::int64_t{-1};
    };
    const PyRef from = config ? config->find("adapted_from") : nullptr;
    const PyRef kinds = config ? config->find("object_kinds") : nullptr;
    return from && from->text == o.base_prior && integer("site_steps") == o.steps &&
           integer("seed") == static_cast<std::int64_t>(o.seed) &&
           (kinds ? kinds->text : std::string("classic")) == object_kinds_name(o);
  } catch (const std::exception&) {
    return false;  // not a prior this build reads: adapt it again
  }
}

}  // namespace

PriorAdaptationSummary adapt_object_prior(const PriorAdaptationOptions& o, const mpi::Communicator& comm) {
  const auto started = Clock::now();
  if (o.steps < 1 || o.batch_size < comm.size() || o.crop < 16) {
    throw UsageError(
        "adapt: object prior: --object-prior-steps >= 1, a batch of at least one crop per rank and crops of >= 16 px",
        Scope::all_ranks);
  }
  // every rank reads the same file; rank 0's answer decides for all
  if (comm.allreduce_max(comm.is_root() && already_adapted(o.out, o) ? 1 : 0) != 0) {
    if (comm.is_root()) log::info("adapt: object prior: " + o.out + " is already adapted with these settings; kept");
    PriorAdaptationSummary kept;
    kept.steps = o.steps;
    kept.reused = true;
    return kept;
  }
  at::set_num_threads(o.threads);
  const torch::Device device = rank_device(o.device, comm);  // collective: one GPU per rank of a node, as train
  PriorCheckpoint prior;
  std::string error;
  try {
    prior = load_prior_checkpoint(o.base_prior);
  } catch (const std::exception& e) {
    error = e.what();
  }
  if (comm.allreduce_max(error.empty() ? 0 : 1) != 0) {
    throw InputError(
        "adapt: object prior " + o.base_prior + ": " + (error.empty() ? "unreadable on another rank" : error),
        Scope::all_ranks);
  }
  if (o.crop > prior.view || o.crop % 16 != 0) {
    throw UsageError(
        "adapt: object prior: crops must be a multiple of 16 up to the view (" + std::to_string(prior.view) + ")",
        Scope::all_ranks);
  }

  const auto site = load_site_views(prior, o, comm);
  const auto layers = render_object_layers(prior, o, comm);
  PriorAdaptationSummary summary;
  summary.site_images = static_cast<std::size_t>(comm.allreduce_sum(static_cast<long long>(site.size())));
  summary.object_layers = static_cast<std::size_t>(comm.allreduce_sum(static_cast<long long>(layers.size())));
  const bool ready = !site.empty() && !layers.empty();
  if (comm.allreduce_sum(ready ? 0 : 1) != 0) {
    throw InputError("adapt: object prior: every rank needs a readable site image and a synth object (" +
                         std::to_string(summary.site_images) + " site images and " +
                         std::to_string(summary.object_layers) + " object layers over " + std::to_string(comm.size()) +
                         " ranks)",
                     Scope::all_ranks);
  }
  if (comm.is_root()) {
    log::info("adapt: object prior: fine-tuning " + std::to_string(o.steps) + " steps on " +
              std::to_string(summary.site_images) + " site images with objects of " +
              std::to_string(summary.object_layers) + " synth images pasted in");
  }

  UNet net = prior.net;
  net->to(device);
  net->train();  // batch norm learns the site's statistics too
  std::vector<std::pair<std::string, torch::Tensor>> parameters;
  for (const auto& item : net->named_parameters(/*recurse=*/true)) parameters.emplace_back(item.key(), item.value());
  torch::optim::AdamW optimizer(net->parameters(), torch::optim::AdamWOptions(o.learning_rate).weight_decay(1e-4));
  GradientAverager averager(parameters, comm, 1 << 20);

  const int local = o.batch_size / comm.size() + (comm.rank() < o.batch_size % comm.size() ? 1 : 0);
  std::mt19937_64 rng(o.seed * 0x9E3779B97F4A7C15ULL + static_cast<std::uint64_t>(comm.rank()) + 1);
  torch::manual_seed(o.seed + static_cast<std::uint64_t>(comm.rank()));  // the crops' noise
  std::uniform_int_distribution<std::size_t> pick_site(0, site.size() - 1), pick_layer(0, layers.size() - 1);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  const auto positive_weight = torch::full({1}, o.positive_weight, torch::kFloat32).to(device);
  // the loss's mean over a quarter of the steps (at most 50) at the start and at the end
  const std::size_t window = static_cast<std::size_t>(std::clamp(o.steps / 4, 1, 50));
  auto mean = [](const std::deque<double>& values) {
    return std::accumulate(values.begin(), values.end(), 0.0) / static_cast<double>(values.size());
  };
  std::deque<double> recent;
  for (int step = 0; step < o.steps; ++step) {
    std::vector<torch::Tensor> images, targets;
    for (int k = 0; k < local; ++k) {
      const ObjectLayer* paste = unit(rng) < o.paste_fraction ? &layers[pick_layer(rng)] : nullptr;
      auto [image, target] = training_crop(site[pick_site(rng)], paste, o, rng);
      images.push_back(image);
      targets.push_back(target);
    }
    const auto x = torch::stack(images).unsqueeze(1).to(device), y = torch::stack(targets).unsqueeze(1).to(device);
    const auto logits = net->forward(x);
    const auto p = torch::sigmoid(logits);
    const auto bce = torch::binary_cross_entropy_with_logits(logits, y, {}, positive_weight);
    const auto dice = 1 - (2 * (p * y).sum() + 1) / (p.sum() + y.sum() + 1);
    const auto loss = bce + dice;
    optimizer.zero_grad();
    averager.begin_step();
    loss.backward();
    averager.finish_step();
    optimizer.step();
    recent.push_back(loss.item<double>());
    if (recent.size() > window) recent.pop_front();
    if (static_cast<std::size_t>(step) + 1 == window) summary.first_loss = mean(recent);
    if (comm.is_root() && (step + 1) % 100 == 0) {
      log::info("adapt: object prior: step " + std::to_string(step + 1) + "/" + std::to_string(o.steps) + " loss " +
                std::to_string(mean(recent)));
    }
  }
  summary.steps = o.steps;
  summary.last_loss = mean(recent);
  net->eval();
  net->to(torch::kCPU);
  comm.run_on_root("adapt: writing the adapted object prior", [&] { write_prior(o.out, net, prior, o, summary); });
  summary.seconds = std::chrono::duration<double>(Clock::now() - started).count();
  return summary;
}

}  // namespace medanon::mae

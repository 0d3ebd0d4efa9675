#pragma once
// The foreign-object prior adapted to a site (issue #15): the prior (object_prior.hpp) learned
// what objects look like on `synth`'s anatomy, and on another site's images it fires on that
// site's anatomy, its calcifications and markers (image AUROC 0.58-0.62 alone on the independent
// corpus). `adapt` fine-tunes it on the site's own normal images, half of them with `synth`'s
// objects pasted in: every pixel of a site image is "not an object" (its calcifications and
// markers included), every pasted object pixel is one, so the network learns objects against this
// site's anatomy, tone and hard negatives. The paste is what `synth` renders an object to add to
// a display: each synth image is rendered twice, with and without its objects (every other random
// stream identical), both through the prior's percentile window, and the difference is added to
// the site image where it has room (b + (1 - b) s d, s a random strength), as metal brightens a
// film towards white.
//
// Collective contract: every rank calls adapt_object_prior with the same options; each reads its
// strided share of the site images and renders its share of the synth images, and every step's
// gradients are averaged over the ranks (gradient_averager.hpp), so all ranks hold the same weights;
// rank 0 writes `out` (atomically). A failure on any rank (no readable image in its share, an
// unreadable base prior) throws on every rank. Not resumable in the middle: a killed run trains
// the prior again from the start (the same seed and world size give the same weights); a rerun
// that finds `out` already adapted from the same base, steps and seed keeps it.
// No torch types here: the plugin boundary includes this.

#include <cstdint>
#include <string>
#include <vector>

#include "mpi/mpi_session.hpp"

namespace medanon::mae {

struct PriorAdaptationOptions {
  std::string base_prior;           // the prior to start from (models/fo_prior_synth.pth)
  std::string out;                  // the adapted prior: torch.save {"model", "config"}, as the base
  std::string root;                 // site images are root + "/" + images[i]
  std::vector<std::string> images;  // the site's normal images (adapt: those the MAE fine-tuned on)
  int max_images = 2000;            // a seeded sample of at most this many of them
  int steps = 800;                  // optimisation steps (0: none; adapt then copies the base)
  int batch_size = 16;              // crops per step over all ranks
  int crop = 128;                   // side of the square crops of the network's view
  double learning_rate = 5e-4;      // AdamW, weight decay 1e-4
  double positive_weight = 2.0;     // BCE weight of object pixels (plus a soft Dice term)
  double paste_fraction = 0.6;      // share of crops with pasted objects
  int object_images = 256;          // synth images whose objects are pasted (rendered at 512 px)
  // their kinds: false, synth's ten classic ones; true, all eighteen (shoulder prostheses, cement,
  // fragments, ports, ... too: a prior that never saw a kind does not learn it on the site)
  bool all_object_kinds = false;
  std::uint64_t seed = 0;
  int threads = 1;
  std::string device = "auto";
};

struct PriorAdaptationSummary {
  int steps = 0;
  double first_loss = 0;          // mean loss of the first quarter of the steps (at most 50; rank 0's)
  double last_loss = 0;           // mean loss of the last quarter of the steps (at most 50; rank 0's)
  std::size_t site_images = 0;    // over all ranks
  std::size_t object_layers = 0;  // synth images with a visible object, over all ranks
  double seconds = 0;
  bool reused = false;  // `out` was already this adaptation (a rerun): nothing trained
};

PriorAdaptationSummary adapt_object_prior(const PriorAdaptationOptions& options, const mpi::Communicator& comm);

}  // namespace medanon::mae

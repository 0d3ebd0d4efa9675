// `medanon infer`: MAE anomaly maps, foreign-object masks and image scores for a set of images.
//
// Input: a synthetic corpus (its ground_truth.json lists the images), or any folder (every .png,
// .dcm below it). Output in --out, per image i of that list (zero-padded):
//   maps/<i>.png      the anomaly map, 16-bit (value * 65535): the residual, smoothed, or with
//                     --map-values z the calibrated z-map, smoothed (anomaly/z_map_view.hpp), z-detail
//                     that plus the image's bright detail, fused that with the object prior
//                     (anomaly/object_fusion.hpp)
//   masks224/<i>.png  the mask at model resolution (255 = foreign object)
//   masks/<i>.png     the mask at the image's own resolution
//   zmaps/<i>.tiff    with --write-zmaps (and calibration statistics): the z-map, 32-bit float
//   scores.csv        index, path, width, height, mask_score, anomaly_score, ssim_score, peak_score,
//                     z_peak (nan without calibration statistics), object_peak (nan without them or
//                     a prior), foreign_object (the --threshold-file's score above its threshold; 0
//                     without one), inverted (1: stored with inverted grey levels, looked at
//                     turned back: mae/display_polarity.hpp)
// Images are dealt round-robin across ranks; rank 0 writes scores.csv.
//
// --calibrate FILE: the run's negatives (a synthetic corpus' images without foreign objects; in
// any other folder every image, so give it known-normal ones) calibrate the scoring: every other
// negative feeds the per-pixel residual statistics, the rest give the threshold of z_peak (of
// object_peak with --object-prior, whose path the file then records) at --calibration-percentile.
// Two disjoint halves, so the threshold is not fitted to the images that set the statistics.

#include <memory>

#include "app/command.hpp"
#include "app/torch_plugin.hpp"
#include "core/errors.hpp"

namespace medanon::app {

Command setup_infer(CLI::App& parent) {
  auto o = std::make_shared<plugin::InferOptions>();
  CLI::App* command = parent.add_subcommand("infer", "MAE anomaly maps, foreign-object masks and scores for images");
  add_config_option(*command, "configs/infer.toml");
  command->add_option("--input", o->input, "a synthetic corpus, a folder of PNG/DICOM files, or one file")->required();
  command->add_option("--out", o->out, "output folder")->required();
  command->add_option("--checkpoint", o->detector.checkpoint, "MAE weights (brats_pretrained-style or medanon)")
      ->required();
  command->add_option("--model", o->detector.model, "architecture; empty: the checkpoint's own");
  command->add_option("--device", o->detector.device, "cpu, cuda or auto")
      ->check(CLI::IsMember({"cpu", "cuda", "auto"}))
      ->capture_default_str();
  command->add_option("--threads", o->detector.threads, "torch threads per rank")->check(CLI::Range(1, 256))->capture_default_str();
  command->add_option("--batch-size", o->detector.batch_size, "images per forward pass")
      ->check(CLI::Range(1, 4096))
      ->capture_default_str();
  command->add_option("--trials", o->detector.trials, "grid-masking trials averaged")->check(CLI::Range(1, 64))->capture_default_str();
  command->add_option("--seed", o->detector.seed, "seed of the trials' masks")->capture_default_str();
  command->add_option("--intensity", o->detector.intensity, "16-bit to 8-bit mapping: min-max or percentile")
      ->check(CLI::IsMember({"min-max", "percentile"}))
      ->capture_default_str();
  command->add_option("--trial-masks", o->detector.trial_masks, "balanced (each patch hidden equally often) or random (thesis)")
      ->check(CLI::IsMember({"balanced", "random"}))
      ->capture_default_str();
  command->add_option("--residual", o->detector.residual, "positive (brighter than the reconstruction) or abs (thesis)")
      ->check(CLI::IsMember({"positive", "abs"}))
      ->capture_default_str();
  command->add_option("--smoothing", o->detector.smoothing, "Gaussian sigma of the anomaly map in model pixels (0: thesis)")
      ->check(CLI::Range(0.0, 16.0))
      ->capture_default_str();
  command->add_option("--map-size", o->detector.map_size,
                      "anomaly map side in px: 0 = the model's (224, thesis); e.g. 448 = residual of the image at "
                      "448 against the upsampled reconstruction (calibrate with the same value)")
      ->check(CLI::Range(0, 4096))
      ->capture_default_str();
  command->add_option("--mask-method", o->detector.mask_method,
                      "zmap (hysteresis on the calibrated z-map; needs --threshold-file statistics) or percentile (thesis)")
      ->check(CLI::IsMember({"zmap", "percentile"}))
      ->capture_default_str();
  command->add_option("--mask-z-high", o->detector.zmap_mask.high, "zmap masks: a region starts at z >= this")
      ->capture_default_str();
  command->add_option("--mask-z-low", o->detector.zmap_mask.low, "zmap masks: a region grows over z >= this")
      ->capture_default_str();
  command->add_option("--mask-min-area", o->detector.zmap_mask.min_area, "zmap masks: smallest region kept (model pixels)")
      ->check(CLI::Range(1, 224 * 224))
      ->capture_default_str();
  command->add_option("--mask-smoothing", o->detector.zmap_mask.smoothing, "zmap masks: Gaussian sigma of the z-map")
      ->check(CLI::Range(0.0, 16.0))
      ->capture_default_str();
  command->add_option("--mask-refinement", o->detector.refinement.enabled,
                      "zmap masks: trim the full-resolution mask to bright detail (a white top-hat of the image)")
      ->capture_default_str();
  command->add_option("--mask-detail-radius", o->detector.refinement.detail_radius,
                      "mask refinement: half the side of the top-hat's square (model pixels)")
      ->check(CLI::Range(0.1, 64.0))
      ->capture_default_str();
  command->add_option("--mask-wide-detail-radius", o->detector.refinement.wide_detail_radius,
                      "mask refinement: a second, wider top-hat square for objects too wide for the first "
                      "(model pixels; 0: none)")
      ->check(CLI::Range(0.0, 128.0))
      ->capture_default_str();
  command->add_option("--mask-grow", o->detector.refinement.grow,
                      "mask refinement: the upsampled mask grows by this first (model pixels)")
      ->check(CLI::Range(0.0, 16.0))
      ->capture_default_str();
  command->add_option("--mask-detail-threshold", o->detector.refinement.threshold,
                      "mask refinement: bright detail above this many robust standard deviations is kept")
      ->check(CLI::Range(0.0, 1000.0))
      ->capture_default_str();
  command->add_option("--object-prior", o->detector.object_prior,
                      "foreign-object prior (a U-Net trained on synth, models/fo_prior_synth.pth) fused with the "
                      "MAE's z-map; empty: the one the --threshold-file names, if any; none: no prior")
      ->capture_default_str();
  command->add_option("--prior-mask-threshold", o->detector.prior_mask_threshold,
                      "with a prior, zmap masks keep only pixels where it is at least this (0: masks as without it)")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  command->add_option("--prior-component-threshold", o->detector.prior_component_threshold,
                      "with a prior, zmap mask components where it nowhere reaches this are dropped, the rest kept whole (0: none)")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  command->add_option("--prior-add-threshold", o->detector.prior_add_threshold,
                      "with a prior, zmap masks also take every pixel where it reaches this (0: none)")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  command->add_option("--mask-z-high-with-prior", o->detector.mask_z_high_with_prior,
                      "with a prior adding its pixels, zmap mask regions start at z >= this instead of --mask-z-high")
      ->check(CLI::Range(0.0, 1000.0))
      ->capture_default_str();
  command->add_option("--lead-markers", o->detector.lead_markers.enabled,
                      "zmap masks: read small mask components with Tesseract; one read as a lone L or R is a lead "
                      "marker and is left out of the masks and scores")
      ->capture_default_str();
  command->add_option("--lead-marker-confidence", o->detector.lead_markers.min_confidence,
                      "Tesseract confidence (0-100) from which a lone L or R is a lead marker")
      ->check(CLI::Range(0.0, 100.0))
      ->capture_default_str();
  command->add_option("--threshold-file", o->threshold_file, "calibration from --calibrate (or `evaluate fo --calibrate`)");
  command->add_option("--calibrate", o->calibrate,
                      "write a calibration from this run's negatives to FILE (z_peak; object_peak with a prior)");
  command->add_option("--calibration-percentile", o->calibration_percentile, "score percentile of negatives for --calibrate")
      ->check(CLI::Range(0.0, 100.0))
      ->capture_default_str();
  command->add_flag("--exclude-text", o->exclude_text,
                   "leave a synthetic corpus' burned-in text out of z_peak, as the pixel stage's boxes are in anonymize");
  command->add_option("--map-values", o->map_values,
                      "maps/: residual (the smoothed residual, thesis), z (the calibrated z-map, smoothed; needs "
                      "--threshold-file statistics), z-detail (z plus the image's bright detail, at the image's "
                      "resolution) or fused (z-detail with the object prior)")
      ->check(CLI::IsMember({"residual", "z", "z-detail", "fused"}))
      ->capture_default_str();
  command->add_flag("--write-zmaps", o->write_zmaps,
                   "also write zmaps/<i>.tiff, the calibrated z-map (32-bit float), to re-tune the masks offline");
  command->add_option("--limit", o->limit, "process only the first N images (0: all)")->capture_default_str();
  auto run = [o](const mpi::Communicator& comm) {
    return run_plugin_command([&] { return torch_plugin().infer(*o, comm); });
  };
  return {command, run};
}

}  // namespace medanon::app

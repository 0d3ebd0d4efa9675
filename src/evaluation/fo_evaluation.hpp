#pragma once
// Scoring an `infer` run against the synthetic corpus's ground truth: image AUROC per score,
// pixel AUROC of the anomaly maps and Dice of the masks (both at the images' full resolution),
// the thesis' threshold calibration and decision metrics, a ROC plot. No torch types.

#include <map>
#include <string>
#include <vector>

namespace medanon::evaluation {

struct FoEvaluationOptions {
  std::string corpus;          // holds ground_truth.json
  std::string run;             // an `infer --out` folder
  std::string out;             // evaluation.json, roc.png (default: the run folder)
  std::string threshold_file;  // decision threshold; with calibrate: written here
  bool calibrate = false;      // 85th percentile of mask_score on this run's negatives
  double calibration_percentile = 85.0;
  bool pixels = true;          // pixel AUROC and Dice (reads every mask and map)
  // Leave burned-in text (the ground truth's text boxes) out of the pixel metrics and add the
  // image score peak_outside_text: in the anonymize pipeline text is found and redacted by the
  // pixel stage before the MAE runs, and the MAE rightly finds text anomalous too.
  bool ignore_text = false;
};

struct FoEvaluation {
  std::size_t images = 0, positives = 0, negatives = 0;
  std::map<std::string, double> image_auroc;  // per score: mask_score, anomaly_score, ssim_score, peak_score
                                              // (+ peak_outside_text with ignore_text)
  double pixel_auroc = 0.0;
  double mean_dice_positives = 0.0;  // mean over images with objects
  // Share of the pixels that are no object (outside text) that the masks flag, over all images:
  // the background rate every kind's false alarms are read against.
  double background_flag_rate = 0.0;
  double negatives_flagged = 0.0;    // share of object-free images whose mask flags any pixel
  // Per object kind (the ground truth's "kind"): how much of it the masks cover. An object's
  // pixels are the ground-truth mask inside its box.
  struct KindScore {
    std::size_t objects = 0;
    double pixel_recall = 0.0;  // flagged object pixels / object pixels, over all objects of the kind
    double found = 0.0;         // share of objects with >= 50 % of their pixels flagged
  };
  std::map<std::string, KindScore> per_kind;
  // Hard negatives (bright but not foreign: calcifications, bone islands, L/R markers), when the
  // corpus' images have a `hard_negative_mask` and `hard_negatives[]` (kind, bbox), as the
  // independent generator tests/fo_render writes: per kind the share of its pixels (the mask
  // inside its box) the masks flag, read against the background here = pixels that are neither
  // object nor hard negative (outside text). Issue #15's target: at most 2x that background.
  struct HardNegativeScore {
    std::size_t instances = 0;
    double flag_rate = 0.0;          // flagged pixels / pixels, over all instances of the kind
    double times_background = 0.0;   // flag_rate / background_outside_hard_negatives (NaN if that is 0)
  };
  std::map<std::string, HardNegativeScore> hard_negatives;  // empty: the corpus has none
  double background_outside_hard_negatives = 0.0;           // NaN without hard negatives
  double threshold = -1.0;           // the decision threshold used (-1: none)
  std::string decision_score = "mask_score";  // the score it applies to
  double accuracy = 0.0, precision = 0.0, recall = 0.0, f1 = 0.0;
  std::string json() const;
};

// Throws std::runtime_error on missing or inconsistent inputs.
FoEvaluation evaluate_foreign_objects(const FoEvaluationOptions& options);

}  // namespace medanon::evaluation

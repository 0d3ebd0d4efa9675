#include "synth/corpus_plan.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "core/errors.hpp"
#include "synth/dicom_writer.hpp"
#include "synth/identity.hpp"

namespace medanon::synth {
namespace {

// How often each kind is drawn, roughly as common as in PadChest's foreign-object labels.
const std::vector<std::pair<ObjectKind, double>> kObjectWeights = {
    {ObjectKind::pacemaker, 3.0},         {ObjectKind::central_venous_catheter, 2.5},
    {ObjectKind::nasogastric_tube, 1.5},  {ObjectKind::endotracheal_tube, 1.0},
    {ObjectKind::chest_drain, 1.0},       {ObjectKind::sternotomy_wires, 2.5},
    {ObjectKind::osteosynthesis, 1.5},    {ObjectKind::heart_valve_ring, 1.0},
    {ObjectKind::surgical_clips, 1.5},    {ObjectKind::ring, 0.8},
};
// ... and with --object-kinds all, these too (after the classic ones, so that a classic draw
// is not moved by them).
const std::vector<std::pair<ObjectKind, double>> kMoreObjectWeights = {
    {ObjectKind::port_catheter, 1.5},      {ObjectKind::pulmonary_artery_catheter, 1.0},
    {ObjectKind::tracheostomy_tube, 1.0},  {ObjectKind::shoulder_prosthesis, 1.0},
    {ObjectKind::vertebral_cement, 1.0},   {ObjectKind::aortic_stent_graft, 1.0},
    {ObjectKind::metal_fragments, 1.2},    {ObjectKind::ecg_electrodes, 1.5},
};

ObjectKind pick_object(Rng& rng, bool all_kinds) {
  std::vector<std::pair<ObjectKind, double>> weights = kObjectWeights;
  if (all_kinds) weights.insert(weights.end(), kMoreObjectWeights.begin(), kMoreObjectWeights.end());
  double total = 0;
  for (const auto& [kind, weight] : weights) total += weight;
  double x = rng.uniform(0, total);
  for (const auto& [kind, weight] : weights) {
    if ((x -= weight) < 0) return kind;
  }
  return weights.back().first;
}

void plan_pixels(ImagePlan& image, const CorpusOptions& options, Rng& rng) {
  const int height = static_cast<int>(std::lround(options.size * rng.uniform(0.9, 1.1) / 2) * 2);
  image.height = std::max(64, height);
  image.width = std::max(64, static_cast<int>(std::lround(image.height * rng.uniform(0.82, 1.02) / 2) * 2));
  image.bits_stored = rng.bernoulli(options.eight_bit_fraction) ? 8 : rng.pick(std::vector<int>{12, 12, 14, 15, 16});
  image.projection = rng.bernoulli(0.25) ? "AP" : "PA";
  if (rng.bernoulli(options.object_fraction)) {
    const int count = rng.bernoulli(0.6) ? 1 : rng.uniform_int(2, 3);
    for (int i = 0; i < count; ++i) {
      const ObjectKind kind = pick_object(rng, options.all_object_kinds);
      if (std::find(image.objects.begin(), image.objects.end(), kind) == image.objects.end()) image.objects.push_back(kind);
    }
  }
  const bool has_pacemaker =
      std::find(image.objects.begin(), image.objects.end(), ObjectKind::pacemaker) != image.objects.end();
  image.cardiomegaly = rng.bernoulli(has_pacemaker ? 0.4 : 0.12);
}

std::string padchest_image_id(Rng& rng) {
  // PadChest ImageIDs look like "<45 digits>_<2>-<3>-<3>.png".
  std::string id;
  for (int i = 0; i < 45; ++i) id.push_back(static_cast<char>('0' + rng.uniform_int(i == 0 ? 1 : 0, 9)));
  char suffix[32];
  std::snprintf(suffix, sizeof suffix, "_%02d-%03d-%03d.png", rng.uniform_int(0, 99), rng.uniform_int(0, 999),
                rng.uniform_int(0, 999));
  return id + suffix;
}

// Hospital exports name folders after the patient: exactly the PHI-in-paths problem the
// anonymizer must not copy into its outputs.
std::string archive_path(const PatientIdentity& p, const StudyIdentity& s, const SeriesIdentity& series,
                         int instance) {
  char tail[64];
  std::snprintf(tail, sizeof tail, "/SER%03d/IM%04d.dcm", series.series_number, instance);
  return "archive/" + p.family_name + "_" + p.given_name + "_" + p.patient_id + "/" + s.study_date + "_" +
         s.accession_number + tail;
}

std::string transfer_syntax_for(int dicom_ordinal, Rng& rng) {
  const auto& all = all_transfer_syntaxes();
  // The first files cover every syntax once; after that most files are plain explicit little
  // endian, as in real archives.
  if (dicom_ordinal < static_cast<int>(all.size())) return all[static_cast<size_t>(dicom_ordinal)];
  const double x = rng.uniform();
  if (x < 0.5) return kExplicitLittle;
  if (x < 0.65) return kImplicitLittle;
  return rng.pick(all);
}

}  // namespace

std::string random_uid(Rng& rng) {
  unsigned __int128 value = (static_cast<unsigned __int128>(rng.next()) << 64) | rng.next();
  std::string decimal;
  do {
    decimal.insert(decimal.begin(), static_cast<char>('0' + static_cast<int>(value % 10)));
    value /= 10;
  } while (value != 0);
  return "2.25." + decimal;
}

void validate(const CorpusOptions& o) {
  if (o.count < 1 || o.count > 1000000) throw UsageError("--count must be between 1 and 1000000", Scope::all_ranks);
  if (o.size < 128 || o.size > 4096) throw UsageError("--size must be between 128 and 4096", Scope::all_ranks);
  auto fraction = [](double f, const char* name) {
    if (!(f >= 0.0 && f <= 1.0)) throw UsageError(std::string(name) + " must be between 0 and 1", Scope::all_ranks);
  };
  fraction(o.dicom_fraction, "--dicom-fraction");
  fraction(o.object_fraction, "--object-fraction");
  fraction(o.eight_bit_fraction, "--eight-bit-fraction");
  fraction(o.hard_negative_fraction, "--hard-negative-fraction");
}

CorpusPlan make_corpus_plan(const CorpusOptions& options) {
  validate(options);
  CorpusPlan plan;
  plan.options = options;
  Rng rng = Rng::stream(options.seed, 0, Stream::plan);
  const int dicom_count = static_cast<int>(std::lround(options.count * options.dicom_fraction));
  const int padchest_count = options.count - dicom_count;

  // PadChest part: 1-3 images per patient, each image its own study, as in PadChest.
  while (static_cast<int>(plan.images.size()) < padchest_count) {
    const int patient_index = static_cast<int>(plan.patients.size());
    plan.patients.push_back(make_patient(patient_index, rng));
    const int images = std::min(rng.uniform_int(1, 3), padchest_count - static_cast<int>(plan.images.size()));
    for (int i = 0; i < images; ++i) {
      const int study_index = static_cast<int>(plan.studies.size());
      plan.studies.push_back(make_study(patient_index, plan.patients.back(), study_index, rng));
      ImagePlan image;
      image.index = static_cast<int>(plan.images.size());
      image.layout = Layout::padchest;
      image.patient = patient_index;
      image.study = study_index;
      image.series = -1;
      plan_pixels(image, options, rng);
      image.image_id = padchest_image_id(rng);
      image.image_dir = rng.uniform_int(0, 54);
      image.relative_path = "padchest/" + std::to_string(image.image_dir) + "/" + image.image_id;
      plan.images.push_back(std::move(image));
    }
  }

  // DICOM part: patients with 1-2 studies, studies with 1-2 series of 1-2 images, so that UID
  // references within a study and pseudonym consistency across studies can be checked.
  int dicom_ordinal = 0;
  while (dicom_ordinal < dicom_count) {
    const int patient_index = static_cast<int>(plan.patients.size());
    plan.patients.push_back(make_patient(patient_index, rng));
    const int studies = rng.uniform_int(1, 2);
    for (int s = 0; s < studies && dicom_ordinal < dicom_count; ++s) {
      const int study_index = static_cast<int>(plan.studies.size());
      plan.studies.push_back(make_study(patient_index, plan.patients.back(), study_index, rng));
      const int series_count = rng.uniform_int(1, 2);
      for (int r = 0; r < series_count && dicom_ordinal < dicom_count; ++r) {
        SeriesIdentity series;
        series.study = study_index;
        series.series_instance_uid = random_uid(rng);
        series.frame_of_reference_uid = random_uid(rng);
        series.series_number = r + 1;
        series.series_time = plan.studies.back().study_time;
        series.projection = rng.bernoulli(0.3) ? "AP" : "PA";
        const int series_index = static_cast<int>(plan.series.size());
        plan.series.push_back(series);
        const int instances = rng.uniform_int(1, 2);
        for (int i = 0; i < instances && dicom_ordinal < dicom_count; ++i, ++dicom_ordinal) {
          ImagePlan image;
          image.index = static_cast<int>(plan.images.size());
          image.layout = Layout::dicom;
          image.patient = patient_index;
          image.study = study_index;
          image.series = series_index;
          image.instance_number = i + 1;
          plan_pixels(image, options, rng);
          image.projection = series.projection;
          image.transfer_syntax = transfer_syntax_for(dicom_ordinal, rng);
          if (image.transfer_syntax == kJpegBaseline) image.bits_stored = 8;  // baseline JPEG is 8-bit only
          image.monochrome1 = rng.bernoulli(0.15);
          image.sop_instance_uid = random_uid(rng);
          image.relative_path = archive_path(plan.patients.back(), plan.studies.back(), series, i + 1);
          plan.images.push_back(std::move(image));
        }
      }
    }
  }
  return plan;
}

}  // namespace medanon::synth

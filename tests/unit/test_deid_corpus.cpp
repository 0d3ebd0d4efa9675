// De-identifying a whole synthetic archive: no planted PHI survives anywhere in any output
// byte or path, references stay consistent across each study, and DCMTK's dcmdump reads every
// output without complaint.

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcmetinf.h>

#include <cstdio>
#include <map>
#include <set>

#include "io/atomic_file.hpp"
#include "tests/unit/deid_corpus_fixture.hpp"
#include "tests/unit/dicom_values.hpp"

namespace medanon::deid {
namespace {

using namespace medanon::deid::testing;

using medanon::testing::value_of;

struct Output {
  nlohmann::json image;
  FileResult result;
};

std::vector<Output> deidentify_archive(const DeidConfig& config, const fs::path& out) {
  const FileDeidentifier deidentifier(config, test_key());
  std::vector<Output> outputs;
  for (const auto& image : dicom_images()) {
    const std::string input = (deid_corpus() / image["path"].get<std::string>()).string();
    outputs.push_back({image, deidentifier.deidentify({input, out.string()})});
    EXPECT_TRUE(outputs.back().result.ok) << input << ": " << outputs.back().result.error;
  }
  return outputs;
}

// Values the options deliberately keep: with Modified Dates, times of day stay (PS3.15 E.3.6).
bool kept_by_options(const std::string& key) { return key.size() > 4 && key.substr(key.size() - 4) == "Time"; }

TEST(DeidCorpus, NoPlantedPhiValueSurvivesInAnyOutputByteOrPath) {
  TestFolder out;
  int checked = 0;
  for (const Output& output : deidentify_archive(shipped_config(), out.path())) {
    const std::vector<std::uint8_t> bytes = io::read_bytes(output.result.output_path);
    const std::string content(bytes.begin(), bytes.end());
    const std::string relative_path = fs::relative(output.result.output_path, out.path()).string();
    for (const auto& [key, value] : output.image["phi"].items()) {
      if (kept_by_options(key)) continue;
      const std::string phi = value.get<std::string>();
      EXPECT_EQ(content.find(phi), std::string::npos) << key << " = " << phi << " in " << relative_path;
      EXPECT_EQ(relative_path.find(phi), std::string::npos) << key << " in the output path";
      ++checked;
    }
  }
  EXPECT_GT(checked, 18 * 30);
}

TEST(DeidCorpus, OutputPathIsPseudoPatientStudySeriesInstance) {
  TestFolder out;
  for (const Output& output : deidentify_archive(shipped_config(), out.path())) {
    const FileResult& r = output.result;
    EXPECT_EQ(r.output_path, (out.path() / r.pseudo_patient_id / r.study_instance_uid / r.series_instance_uid /
                              (r.sop_instance_uid + ".dcm"))
                                 .string());
    EXPECT_EQ(r.pseudo_patient_id.rfind("PX", 0), 0U);
    EXPECT_EQ(r.study_instance_uid.rfind("2.25.", 0), 0U);
  }
}

TEST(DeidCorpus, ReferencesStayConsistentAcrossEachStudy) {
  TestFolder out;
  // Referenced Image Sequence is Type 3 in CR/DX and removed by default; this types file makes
  // it Type 1 so it stays with its references replaced (X/Z/U* -> U), as in IODs that need it.
  const fs::path types = out.path() / "types.tsv";
  std::ofstream(types) << "1.2.840.10008.5.1.4.1.1.1\t(0008,1140)\t1\n1.2.840.10008.5.1.4.1.1.1.1\t(0008,1140)\t1\n";
  DeidConfig config = shipped_config();
  config.iod_types = types.string();
  const std::vector<Output> outputs = deidentify_archive(config, out.path() / "out");

  std::map<std::string, std::string> patient_of_study, new_study_of, new_series_of, new_sop_of, new_frame_of;
  for (const Output& output : outputs) {
    const nlohmann::json& phi = output.image["phi"];
    const std::string study = phi["StudyInstanceUID"], series = phi["SeriesInstanceUID"];
    const auto consistent = [](std::map<std::string, std::string>& map, const std::string& key, const std::string& v) {
      EXPECT_EQ(map.emplace(key, v).first->second, v) << key;
    };
    consistent(patient_of_study, study, output.result.pseudo_patient_id);
    consistent(new_study_of, study, output.result.study_instance_uid);
    consistent(new_series_of, series, output.result.series_instance_uid);
    new_sop_of[phi["SOPInstanceUID"]] = output.result.sop_instance_uid;
    DcmFileFormat file;
    ASSERT_TRUE(file.loadFile(output.result.output_path.c_str()).good());
    consistent(new_frame_of, series, value_of(*file.getDataset(), DCM_FrameOfReferenceUID));
    EXPECT_EQ(value_of(*file.getMetaInfo(), DCM_MediaStorageSOPInstanceUID), output.result.sop_instance_uid);
  }
  std::set<std::string> distinct_studies;
  for (const auto& [original, replaced] : new_study_of) distinct_studies.insert(replaced);
  EXPECT_EQ(distinct_studies.size(), new_study_of.size());
  EXPECT_GT(new_study_of.size(), 2U);

  int references = 0;
  for (const Output& output : outputs) {
    DcmFileFormat file;
    ASSERT_TRUE(file.loadFile(output.result.output_path.c_str()).good());
    DcmItem* item = nullptr;
    for (long i = 0; file.getDataset()->findAndGetSequenceItem(DCM_ReferencedImageSequence, item, i).good(); ++i) {
      const std::string original = output.image["phi"]["ReferencedImageSequence[" + std::to_string(i) +
                                                       "]/ReferencedSOPInstanceUID"];
      EXPECT_EQ(value_of(*item, DCM_ReferencedSOPInstanceUID), new_sop_of.at(original));
      ++references;
    }
  }
  EXPECT_GT(references, 0);
}

TEST(DeidCorpus, DcmdumpReadsEveryOutputWithoutErrors) {
  TestFolder out;
  std::string command = "dcmdump -q";
  for (const Output& output : deidentify_archive(shipped_config(), out.path())) command += " " + output.result.output_path;
  command += " 2>&1 >/dev/null";
  std::FILE* pipe = ::popen(command.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::string errors;
  char buffer[256];
  while (std::fgets(buffer, sizeof buffer, pipe) != nullptr) errors += buffer;
  EXPECT_EQ(::pclose(pipe), 0);
  EXPECT_EQ(errors, "");
}

}  // namespace
}  // namespace medanon::deid

// Burned-in text of the synthetic corpus: what the overlay says, and boxes that are exactly
// where its glyphs changed the pixels.

#include <gtest/gtest.h>

#include <cstdlib>
#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "synth/burned_text.hpp"

namespace medanon::synth {
namespace {

const std::set<std::string> kPhiFields = {"PatientName", "PatientID",       "BirthDate",
                                          "StudyDate",   "AccessionNumber", "InstitutionName"};
const std::set<std::string> kOtherFields = {"Marker", "Technique", "Label"};

PatientIdentity patient() {
  PatientIdentity p;
  p.key = "P0001";
  p.family_name = "GARCIA";
  p.given_name = "MARIA";
  p.patient_id = "40817263";
  p.birth_date = "19560314";
  return p;
}

StudyIdentity study() {
  StudyIdentity s;
  s.study_date = "20190502";
  s.accession_number = "123456";
  s.institution = "Hospital San Juan";
  return s;
}

ImagePlan plan(const std::string& projection = "PA") {
  ImagePlan p;
  p.projection = projection;
  return p;
}

std::vector<TextLine> compose(std::uint64_t seed, const std::string& projection = "PA") {
  Rng rng(seed);
  return compose_text_lines(patient(), study(), plan(projection), rng);
}

// Lines with every kind of field, so each test exercises the whole overlay.
std::vector<TextLine> full_overlay() {
  return {{"PatientName", {"GARCIA,", "MARIA"}, {true, true}},
          {"PatientID", {"ID:", "40817263"}, {false, true}},
          {"BirthDate", {"DOB:", "14/03/1956"}, {false, true}},
          {"StudyDate", {"2019-05-02"}, {true}},
          {"AccessionNumber", {"ACC", "123456"}, {false, true}},
          {"InstitutionName", {"HOSPITAL", "SAN", "JUAN"}, {true, true, true}},
          {"Marker", {"L"}, {false}},
          {"Marker", {"PORTABLE"}, {false}},
          {"Technique", {"KV", "120", "mAs", "2.5"}, {false, false, false, false}}};
}

struct Burned {
  cv::Mat before, after;
  std::vector<TextBox> boxes;
};

Burned burn(std::uint64_t seed, cv::Size size, int type, int max_value, double level = 0.3,
            const std::vector<TextLine>& lines = full_overlay()) {
  Burned b;
  b.before = cv::Mat(size, type, cv::Scalar(static_cast<int>(level * max_value)));
  b.after = b.before.clone();
  Rng rng(seed);
  b.boxes = burn_text(b.after, max_value, lines, rng);
  return b;
}

cv::Mat box_mask(const Burned& b) {
  cv::Mat mask = cv::Mat::zeros(b.after.size(), CV_8UC1);
  for (const auto& box : b.boxes) mask(box.box).setTo(255);
  return mask;
}

TEST(SynthTextLines, PhiFlagsFollowTheFields) {
  for (std::uint64_t seed = 1; seed <= 200; ++seed) {
    for (const auto& line : compose(seed)) {
      ASSERT_EQ(line.words.size(), line.phi.size());
      EXPECT_TRUE(kPhiFields.count(line.field) || line.field == "Marker" || line.field == "Technique") << line.field;
      for (size_t i = 0; i < line.words.size(); ++i) {
        const std::string& word = line.words[i];
        EXPECT_FALSE(word.empty());
        if (!kPhiFields.count(line.field)) {
          EXPECT_FALSE(line.phi[i]) << word;
        }
        if (word == "DOB:" || word == "ID:" || word == "MRN" || word == "ACC") {
          EXPECT_FALSE(line.phi[i]);
        }
        if (word.find("GARCIA") != std::string::npos || word.find("40817263") != std::string::npos) {
          EXPECT_TRUE(line.phi[i]) << word;
        }
      }
    }
  }
}

TEST(SynthTextLines, SomeFilmsHaveNoTextSomeOnlyMarkersSomePhi) {
  int empty = 0, markers_only = 0, with_phi = 0;
  for (std::uint64_t seed = 1; seed <= 300; ++seed) {
    const auto lines = compose(seed);
    bool phi = false;
    for (const auto& line : lines) phi = phi || kPhiFields.count(line.field);
    empty += lines.empty();
    markers_only += !lines.empty() && !phi;
    with_phi += phi;
  }
  EXPECT_GT(empty, 10);
  EXPECT_GT(markers_only, 30);
  EXPECT_GT(with_phi, 150);
}

TEST(SynthTextLines, ValuesComeFromTheIdentityInSeveralFormats) {
  std::set<std::string> birth_dates, names;
  for (std::uint64_t seed = 1; seed <= 300; ++seed) {
    for (const auto& line : compose(seed)) {
      std::string phi_text;
      for (size_t i = 0; i < line.words.size(); ++i) {
        if (line.phi[i]) phi_text += (phi_text.empty() ? "" : " ") + line.words[i];
      }
      if (line.field == "BirthDate") {
        EXPECT_NE(phi_text.find("1956"), std::string::npos) << phi_text;
        birth_dates.insert(phi_text);
      }
      if (line.field == "PatientName") names.insert(phi_text);
      if (line.field == "PatientID") {
        EXPECT_EQ(phi_text, "40817263");
      }
      if (line.field == "AccessionNumber") {
        EXPECT_EQ(phi_text, "123456");
      }
    }
  }
  EXPECT_TRUE(birth_dates.count("14/03/1956"));
  EXPECT_TRUE(birth_dates.count("1956-03-14"));
  EXPECT_TRUE(birth_dates.count("19560314"));
  EXPECT_TRUE(names.count("GARCIA, MARIA"));
  EXPECT_TRUE(names.count("MARIA GARCIA"));
  EXPECT_TRUE(names.count("GARCIA^MARIA"));
}

TEST(SynthTextLines, PortableIsMostlyOnApFilms) {
  int ap = 0, pa = 0;
  for (std::uint64_t seed = 1; seed <= 300; ++seed) {
    for (const auto& line : compose(seed, "AP")) ap += line.words == std::vector<std::string>{"PORTABLE"};
    for (const auto& line : compose(seed, "PA")) pa += line.words == std::vector<std::string>{"PORTABLE"};
  }
  EXPECT_GT(ap, 3 * pa);
}

TEST(SynthTextLines, AccentsAreFoldedToWhatHersheyFontsCanDraw) {
  PatientIdentity p = patient();
  p.family_name = "MU\xC3\x91OZ";  // MUÑOZ
  for (std::uint64_t seed = 1; seed <= 100; ++seed) {
    Rng rng(seed);
    for (const auto& line : compose_text_lines(p, study(), plan(), rng)) {
      for (const auto& word : line.words) {
        for (char c : word) EXPECT_LT(static_cast<unsigned char>(c), 0x80) << word;
      }
    }
  }
}

TEST(SynthText, EveryChangedPixelIsInAWordBoxOrAFlatPlate) {
  for (std::uint64_t seed = 1; seed <= 40; ++seed) {
    const Burned b = burn(seed, {1024, 1024}, CV_16UC1, 4095);
    const cv::Mat outside = (b.after != b.before) & ~box_mask(b);
    cv::Mat labels, stats, centroids;
    const int count = cv::connectedComponentsWithStats(outside, labels, stats, centroids, 8);
    for (int c = 1; c < count; ++c) {
      const cv::Rect plate(stats.at<int>(c, cv::CC_STAT_LEFT), stats.at<int>(c, cv::CC_STAT_TOP),
                           stats.at<int>(c, cv::CC_STAT_WIDTH), stats.at<int>(c, cv::CC_STAT_HEIGHT));
      double lo = 0, hi = 0;
      cv::minMaxLoc(b.after, &lo, &hi, nullptr, nullptr, labels == c);
      EXPECT_EQ(lo, hi) << "seed " << seed << ": changed pixels outside boxes are not a flat plate";
      bool holds_a_word = false;
      for (const auto& box : b.boxes) holds_a_word = holds_a_word || (box.box & plate) == box.box;
      EXPECT_TRUE(holds_a_word) << "seed " << seed << ": a plate without text";
    }
  }
}

TEST(SynthText, EachBoxIsTightAroundItsGlyphs) {
  for (std::uint64_t seed = 1; seed <= 40; ++seed) {
    const Burned b = burn(seed, {900, 1100}, CV_8UC1, 255);
    for (const auto& box : b.boxes) {
      const cv::Rect r = box.box;
      // Just outside the box lies what the word was painted on: the film or its plate.
      const cv::Point probe = r.x > 0 ? cv::Point(r.x - 1, r.y) : cv::Point(r.br().x, r.y);
      const cv::Mat glyph = b.after(r) != b.after.at<std::uint8_t>(probe);
      EXPECT_GT(cv::countNonZero(glyph.row(0)), 0) << box.text;
      EXPECT_GT(cv::countNonZero(glyph.row(r.height - 1)), 0) << box.text;
      EXPECT_GT(cv::countNonZero(glyph.col(0)), 0) << box.text;
      EXPECT_GT(cv::countNonZero(glyph.col(r.width - 1)), 0) << box.text;
    }
  }
}

TEST(SynthText, BoxesStayInsideTheImageAndNeverOverlap) {
  for (const cv::Size size : {cv::Size(256, 256), cv::Size(1024, 1024), cv::Size(640, 1200), cv::Size(3000, 3000)}) {
    for (std::uint64_t seed = 1; seed <= 10; ++seed) {
      const Burned b = burn(seed, size, CV_16UC1, 65535);
      const cv::Rect image(0, 0, size.width, size.height);
      EXPECT_FALSE(b.boxes.empty()) << size;
      for (size_t i = 0; i < b.boxes.size(); ++i) {
        EXPECT_EQ(b.boxes[i].box & image, b.boxes[i].box);
        EXPECT_GT(b.boxes[i].box.area(), 0);
        for (size_t j = i + 1; j < b.boxes.size(); ++j) {
          EXPECT_EQ((b.boxes[i].box & b.boxes[j].box).area(), 0) << b.boxes[i].text << " / " << b.boxes[j].text;
        }
      }
    }
  }
}

bool in_band(const cv::Rect& r, cv::Size s, double band) {
  return r.br().x <= band * s.width || r.x >= (1 - band) * s.width || r.br().y <= band * s.height ||
         r.y >= (1 - band) * s.height;
}

TEST(SynthText, MostTextIsInTheBorderBandsAndSomeNearTheCentre) {
  int border = 0, elsewhere = 0, central_images = 0;
  const cv::Size size(1024, 1024);
  for (std::uint64_t seed = 1; seed <= 200; ++seed) {
    const Burned b = burn(seed, size, CV_16UC1, 4095);
    bool central = false;
    for (const auto& box : b.boxes) {
      if (box.central) {
        central = true;
        EXPECT_FALSE(in_band(box.box, size, 0.15)) << box.text;
        EXPECT_TRUE(box.phi || box.field == "Label") << box.text;
        continue;
      }
      (in_band(box.box, size, 0.15) ? border : elsewhere) += 1;
    }
    central_images += central;
  }
  EXPECT_GT(border, 9 * elsewhere);
  EXPECT_GE(central_images, 10);  // about 15 % of 200
  EXPECT_LE(central_images, 60);
}

TEST(SynthText, BoxesCarryTheWordsFieldsAndPhiFlags) {
  const Burned b = burn(5, {1024, 1024}, CV_16UC1, 4095);
  ASSERT_FALSE(b.boxes.empty());
  for (const auto& box : b.boxes) {
    EXPECT_EQ(box.phi, kPhiFields.count(box.field) == 1) << box.text << " " << box.field;
    EXPECT_TRUE(kPhiFields.count(box.field) || kOtherFields.count(box.field)) << box.field;
    if (box.text == "GARCIA," || box.text == "40817263") {
      EXPECT_TRUE(box.phi);
    }
    if (box.text == "DOB:" || box.text == "ID:") {
      EXPECT_FALSE(box.phi);
      EXPECT_EQ(box.field, "Label");
    }
    if (box.text == "PORTABLE" || box.text == "L") {
      EXPECT_EQ(box.field, "Marker");
    }
  }
}

TEST(SynthText, WorksOnEightAndSixteenBitsWithinMaxValue) {
  for (std::uint64_t seed = 1; seed <= 10; ++seed) {
    const Burned eight = burn(seed, {512, 512}, CV_8UC1, 255, 0.5);
    const Burned twelve = burn(seed, {512, 512}, CV_16UC1, 4095, 0.5);
    EXPECT_FALSE(eight.boxes.empty());
    EXPECT_FALSE(twelve.boxes.empty());
    double lo = 0, hi = 0;
    cv::minMaxLoc(twelve.after, &lo, &hi);
    EXPECT_LE(hi, 4095);
  }
}

TEST(SynthText, SameSeedGivesIdenticalPixelsAndBoxes) {
  const Burned first = burn(9, {800, 800}, CV_16UC1, 16383);
  const Burned second = burn(9, {800, 800}, CV_16UC1, 16383);
  EXPECT_EQ(cv::countNonZero(first.after != second.after), 0);
  ASSERT_EQ(first.boxes.size(), second.boxes.size());
  for (size_t i = 0; i < first.boxes.size(); ++i) {
    EXPECT_EQ(first.boxes[i].box, second.boxes[i].box);
    EXPECT_EQ(first.boxes[i].text, second.boxes[i].text);
  }
}

TEST(SynthText, WordsLandInTheSamePlacesWhateverTheFilmUnderThem) {
  // The text stream must not drift when objects or anatomy change: only ink colours may adapt.
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    const Burned dark = burn(seed, {1024, 1024}, CV_16UC1, 4095, 0.05);
    const Burned bright = burn(seed, {1024, 1024}, CV_16UC1, 4095, 0.9);
    ASSERT_EQ(dark.boxes.size(), bright.boxes.size()) << "seed " << seed;
    for (size_t i = 0; i < dark.boxes.size(); ++i) {
      EXPECT_EQ(dark.boxes[i].text, bright.boxes[i].text);
      const cv::Point shift =
          (dark.boxes[i].box.tl() + dark.boxes[i].box.br()) - (bright.boxes[i].box.tl() + bright.boxes[i].box.br());
      EXPECT_LE(std::abs(shift.x) + std::abs(shift.y), 4) << dark.boxes[i].text;
    }
  }
}

TEST(SynthText, StylesVaryAcrossImages) {
  std::set<int> heights;
  int bright = 0, dark = 0;
  for (std::uint64_t seed = 1; seed <= 60; ++seed) {
    for (const auto& box : burn(seed, {1024, 1024}, CV_16UC1, 4095).boxes) {
      if (box.text == "MARIA") heights.insert(box.box.height);
      (box.bright ? bright : dark) += 1;
    }
  }
  EXPECT_GT(heights.size(), 8u);
  EXPECT_GT(bright, dark);
  EXPECT_GT(dark, 0);
}

TEST(SynthText, NoLinesLeaveThePixelsAlone) {
  const Burned b = burn(1, {300, 300}, CV_8UC1, 255, 0.3, {});
  EXPECT_TRUE(b.boxes.empty());
  EXPECT_EQ(cv::countNonZero(b.after != b.before), 0);
}

TEST(SynthText, RejectsPixelTypesItCannotStore) {
  cv::Mat floats(64, 64, CV_32FC1, cv::Scalar(0));
  Rng rng(1);
  EXPECT_THROW(burn_text(floats, 1, full_overlay(), rng), std::invalid_argument);
  cv::Mat bytes(64, 64, CV_8UC1, cv::Scalar(0));
  EXPECT_THROW(burn_text(bytes, 4095, full_overlay(), rng), std::invalid_argument);
}

}  // namespace
}  // namespace medanon::synth

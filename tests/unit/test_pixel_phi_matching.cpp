// Stage 5: PHI is told from technical text by the image's own values, generic patterns and the
// marker list; whatever is unreadable or unknown counts as PHI.
#include <gtest/gtest.h>

#include "pixel/phi_matching.hpp"

namespace medanon::pixel {
namespace {

const IdentifyingValues kHeader = {{"PatientName", "MUÑOZ^JOSÉ"},
                                   {"PatientID", "40817263"},
                                   {"PatientBirthDate", "19560314"},
                                   {"AccessionNumber", "A123456"},
                                   {"InstitutionName", "Hospital San Juan"},
                                   {"ViewPosition", "PA"}};

WordVerdict one(const std::string& word, float confidence = 90) {
  return classify_line({word}, {confidence}, kHeader).front();
}

TEST(PixelPhiMatching, NamePartsMatchTheHeaderAfterFoldingAccents) {
  EXPECT_EQ(one("MUNOZ,").word_class, WordClass::phi);
  EXPECT_NE(one("MUNOZ,").why.find("PatientName"), std::string::npos);
  EXPECT_NE(one("Jose").why.find("PatientName"), std::string::npos);
  EXPECT_NE(one("MUNQZ").why.find("PatientName"), std::string::npos);  // one OCR slip
  EXPECT_EQ(fold_for_matching("Muñoz"), "MUNOZ");
}

TEST(PixelPhiMatching, DatesMatchInEveryPrintedFormat) {
  for (const char* date : {"14/03/1956", "1956-03-14", "19560314", "14.03.1956"}) {
    EXPECT_NE(one(date).why.find("PatientBirthDate"), std::string::npos) << date;
  }
  EXPECT_EQ(one("02-MAY-2019").why, "date pattern");
}

TEST(PixelPhiMatching, IdentifiersMatchByTheirDigits) {
  EXPECT_NE(one("40817263").why.find("PatientID"), std::string::npos);
  EXPECT_NE(one("A123456").why.find("AccessionNumber"), std::string::npos);
  EXPECT_EQ(one("99887766").why, "long digit run");
  EXPECT_EQ(one("SMITH^JOHN").why, "DICOM person-name pattern");
}

TEST(PixelPhiMatching, TechnicalMarkersAndTheirValuesAreKept) {
  const auto verdicts = classify_line({"KV", "120", "mAs", "2.5"}, {90, 90, 90, 90}, kHeader);
  for (const auto& verdict : verdicts) EXPECT_EQ(verdict.word_class, WordClass::technical) << verdict.why;
  EXPECT_EQ(one("PA").word_class, WordClass::technical);  // not PHI although ViewPosition says PA
  EXPECT_EQ(one("PORTABLF").word_class, WordClass::technical);
  EXPECT_EQ(one("DOB:").word_class, WordClass::label);
}

TEST(PixelPhiMatching, AHyphenatedMarkerReadAsTwoWordsIsKept) {
  // The hyphen dropped, or read as an opening quote.
  for (const auto& verdict : classify_line({"SEMI", "\u201cERECT"}, {96, 80}, kHeader))
    EXPECT_EQ(verdict.word_class, WordClass::technical) << verdict.why;
  for (const auto& verdict : classify_line({"SEMI-", "ERECT"}, {90, 90}, kHeader))
    EXPECT_EQ(verdict.word_class, WordClass::technical) << verdict.why;
  // Only together: SEMI before another word is an unknown word, filled.
  EXPECT_TRUE(classify_line({"SEMI", "SMITH"}, {96, 90}, kHeader).front().is_phi());
  EXPECT_TRUE(classify_line({"ERECT", "SEMI"}, {96, 90}, kHeader).back().is_phi());
  // Two overlapping readings of the marker share its middle; only when they overlap on the image.
  EXPECT_TRUE(spell_a_marker("SEMI-E", "-ERECT", kHeader, PhiOptions{}, true));
  EXPECT_TRUE(spell_a_marker("SEMI-ER", "RECT", kHeader, PhiOptions{}, true));
  EXPECT_FALSE(spell_a_marker("SEMI-E", "-ERECT", kHeader, PhiOptions{}, false));
  EXPECT_FALSE(spell_a_marker("SEMI-E", "-ERRANT", kHeader, PhiOptions{}, true));
  EXPECT_FALSE(spell_a_marker("SEMI-ERECT", "T", kHeader, PhiOptions{}, true));  // each keeps a character of its own
}

TEST(PixelPhiMatching, ALongMarkerSpelledExactlyIsKeptAtAnyConfidenceAnythingElseIsNot) {
  EXPECT_EQ(one("PORTABLE", 30).word_class, WordClass::technical);
  EXPECT_EQ(one("Supine", 10).word_class, WordClass::technical);
  // One slip from a marker of eight characters or more is the marker at a marker's confidence;
  // a shorter marker's slip, or two slips, need full confidence.
  EXPECT_EQ(one("PORTABLF", 30).word_class, WordClass::technical);
  EXPECT_EQ(one("SEMI-EFRECT", 39).word_class, WordClass::technical);
  EXPECT_EQ(one("PORTABLF", 20).word_class, WordClass::unreadable);
  EXPECT_EQ(one("PQRTABLF", 30).word_class, WordClass::unreadable);
  EXPECT_EQ(one("SUPINF", 30).word_class, WordClass::unreadable);
  EXPECT_EQ(one("PA", 30).word_class, WordClass::unreadable);        // short markers too
  EXPECT_EQ(one("GARCIA", 30).word_class, WordClass::unreadable);
  // A header value spelled like a marker stays PHI.
  EXPECT_TRUE(classify_line({"PRONE"}, {30}, {{"PatientName", "PRONE^ANA"}}).front().is_phi());
}

TEST(PixelPhiMatching, MarkersReadWithAnOcrConfusionOrLowConfidenceAreKept) {
  // Readings seen on thin anti-aliased TrueType markers: exact but unsure, and confused glyphs.
  const auto kvp = classify_line({"K\u00a5P", "125"}, {52, 94}, kHeader);
  EXPECT_EQ(kvp[0].word_class, WordClass::technical) << kvp[0].why;
  EXPECT_EQ(kvp[1].word_class, WordClass::technical) << kvp[1].why;
  const auto mas = classify_line({"mAs", "2.5"}, {28, 40}, kHeader);
  EXPECT_EQ(mas[0].word_class, WordClass::technical);
  EXPECT_EQ(mas[1].word_class, WordClass::technical) << "an unsure value right after its marker";
  EXPECT_EQ(one("FA", 95).word_class, WordClass::technical);
  EXPECT_EQ(one("KVF", 60).why, "technical marker (read with an OCR confusion)");
  EXPECT_EQ(confusion_form("k\u00a5p."), "KVP");
  // What stays PHI: names a letter away from a marker, two letters unsure, too little confidence,
  // an unsure number that follows no marker, a header value.
  for (const char* name : {"MAX", "PAT", "KEP", "MAE"}) EXPECT_TRUE(one(name, 90).is_phi()) << name;
  EXPECT_TRUE(one("FA", 40).is_phi());
  EXPECT_TRUE(one("KVP", 15).is_phi());
  EXPECT_TRUE(classify_line({"GARCIA", "125"}, {90, 40}, kHeader)[1].is_phi());
  EXPECT_TRUE(classify_line({"MAS"}, {40}, {{"PatientName", "MAS^ANA"}}).front().is_phi());
}

TEST(PixelPhiMatching, UnreadableAndUnknownWordsAreTreatedAsPhi) {
  EXPECT_EQ(one("GARCIA", 20).word_class, WordClass::unreadable);
  EXPECT_TRUE(one("GARCIA", 20).is_phi());
  EXPECT_TRUE(one("", 95).is_phi());
  EXPECT_TRUE(one("PETERSON").is_phi());
  EXPECT_TRUE(one("120").is_phi());  // a number alone is no exposure factor
}

TEST(PixelPhiMatching, EditDistanceIsLevenshtein) {
  EXPECT_EQ(edit_distance("KITTEN", "SITTING"), 3);
  EXPECT_EQ(edit_distance("", "ABC"), 3);
  EXPECT_EQ(edit_distance("SAME", "SAME"), 0);
}

}  // namespace
}  // namespace medanon::pixel

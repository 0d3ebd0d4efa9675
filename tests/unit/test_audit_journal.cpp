// The per-rank journals: a record survives the framing and the JSON whole, a torn or corrupted
// tail is dropped and counted while every intact record before it is kept, and journals of the
// first format (seconds and text counts as arrays) still read.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <type_traits>

#include "audit/journal.hpp"
#include "audit/record_fields.hpp"

namespace medanon::audit {
namespace {

namespace fs = std::filesystem;

ItemRecord sample_record(std::int64_t item) {
  ItemRecord r;
  r.item = item;
  r.input_hash = "0123456789abcdef0123456789abcdef";
  r.output = "images/01/x.png";
  r.status = ItemStatus::ok;
  r.error = "";
  r.retryable = true;
  r.rank = 2;
  r.attempt = 1;
  for (int s = 0; s < kStageCount; ++s) r.seconds[static_cast<size_t>(s)] = 0.5f * static_cast<float>(s + 1);
  r.tags_changed = 17;
  r.text_found = 3;
  r.text_redacted = 2;
  r.text_flagged = 1;
  r.mask_score = 0.25f;
  r.z_peak = 7.5f;
  r.anomaly = 1;
  r.gate = "chest";
  r.boxes.push_back({10, 20, 30, 40, 4, 1, 1, 0.75f});
  r.boxes.push_back({1, 2, 3, 4, 2, 0, 2, 0.5f});
  r.mask.assign(kMapSize * kMapSize, 0);
  r.mask[5] = 1;
  r.anomaly_map.assign(kMapSize * kMapSize, 0.0f);
  r.anomaly_map[7] = 2.5f;
  return r;
}

// Every field the list names, compared through the list itself: a field added to
// for_each_field is compared without touching this test.
void expect_same(const ItemRecord& a, const ItemRecord& b) {
  std::vector<std::string> left, right;
  auto collect = [](std::vector<std::string>& into) {
    return [&into](const char* name, const auto& value, auto...) {
      std::ostringstream text;
      using T = std::decay_t<decltype(value)>;
      if constexpr (std::is_enum_v<T>) {
        text << static_cast<int>(value);
      } else if constexpr (std::is_same_v<T, std::string>) {
        text << value;
      } else {
        text << +value;
      }
      into.push_back(std::string(name) + "=" + text.str());
    };
  };
  for_each_field(a, collect(left));
  for_each_field(b, collect(right));
  EXPECT_EQ(left, right);
  ASSERT_EQ(a.boxes.size(), b.boxes.size());
  for (size_t i = 0; i < a.boxes.size(); ++i) {
    EXPECT_EQ(a.boxes[i].x, b.boxes[i].x);
    EXPECT_EQ(a.boxes[i].height, b.boxes[i].height);
    EXPECT_EQ(a.boxes[i].action, b.boxes[i].action);
    EXPECT_FLOAT_EQ(a.boxes[i].confidence, b.boxes[i].confidence);
  }
  EXPECT_EQ(a.mask, b.mask);
  EXPECT_EQ(a.anomaly_map, b.anomaly_map);
}

class Journals : public ::testing::Test {
 protected:
  void SetUp() override {
    out_ = fs::temp_directory_path() / ("medanon-journal-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(out_);
    fs::create_directories(out_);
  }
  void TearDown() override { fs::remove_all(out_); }
  std::string out() const { return out_.string(); }
  fs::path out_;
};

TEST(JournalRecord, RoundTripsEveryField) {
  const ItemRecord r = sample_record(42);
  expect_same(r, decode_record(encode_record(r)));
}

TEST(JournalRecord, NaNZPeakAndEmptyMapsSurvive) {
  ItemRecord r;
  r.item = 3;
  r.status = ItemStatus::failed;
  r.error = "not a DICOM file or a supported image";
  const ItemRecord back = decode_record(encode_record(r));
  EXPECT_TRUE(std::isnan(back.z_peak));
  EXPECT_EQ(back.status, ItemStatus::failed);
  EXPECT_EQ(back.error, r.error);
  EXPECT_FALSE(back.retryable);
  EXPECT_TRUE(back.mask.empty());
  EXPECT_TRUE(back.anomaly_map.empty());
}

TEST(JournalRecord, ReadsTheFirstFormatsArrays) {
  // A payload as the first journal format wrote it: seconds and text counts as arrays.
  const std::string json =
      R"({"item":5,"input_hash":"ab","output":"o.png","status":0,"error":"","rank":1,"attempt":0,)"
      R"("seconds":[1,2,3,4,5,6],"tags_changed":9,"text":[4,3,1],"mask_score":-1,"anomaly":-1,"gate":"chest",)"
      R"("boxes":[[1,2,3,4,1,1,1,0.5]]})";
  std::string payload;
  auto put_u32 = [&](std::uint32_t v) {
    for (int i = 0; i < 4; ++i) payload.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
  };
  put_u32(static_cast<std::uint32_t>(json.size()));
  payload += json;
  put_u32(0);
  put_u32(0);
  const ItemRecord r = decode_record(payload);
  EXPECT_EQ(r.item, 5);
  EXPECT_FLOAT_EQ(r.seconds[static_cast<size_t>(Stage::mae)], 5.0f);
  EXPECT_EQ(r.text_found, 4);
  EXPECT_EQ(r.text_redacted, 3);
  EXPECT_EQ(r.text_flagged, 1);
  EXPECT_EQ(r.tags_changed, 9);
  ASSERT_EQ(r.boxes.size(), 1u);
  EXPECT_EQ(r.boxes[0].width, 3);
}

TEST_F(Journals, AppendedRecordsReadBackInAttemptThenRankOrder) {
  {
    JournalWriter a1(journal_path(out(), 1, 0));
    a1.append(sample_record(7));
    JournalWriter a0r1(journal_path(out(), 0, 1));
    a0r1.append(sample_record(2));
    a0r1.append(sample_record(3));
    JournalWriter a10(journal_path(out(), 10, 0));
    a10.append(sample_record(9));
  }
  const JournalContents contents = read_journals(out());
  EXPECT_EQ(contents.torn_records, 0);
  EXPECT_EQ(contents.highest_attempt, 10);
  ASSERT_EQ(contents.records.size(), 4u);
  EXPECT_EQ(contents.records[0].item, 2);
  EXPECT_EQ(contents.records[1].item, 3);
  EXPECT_EQ(contents.records[2].item, 7);
  EXPECT_EQ(contents.records[3].item, 9);  // attempt-10 after attempt-1, not between 1 and 2
  expect_same(contents.records[1], sample_record(3));
}

TEST_F(Journals, ATornTailIsDroppedAtEveryCutAndTheRecordsBeforeItKept) {
  const std::string path = journal_path(out(), 0, 0);
  {
    JournalWriter writer(path);
    writer.append(sample_record(1));
    writer.append(sample_record(2));
  }
  const auto whole = fs::file_size(path);
  const std::string one = encode_record(sample_record(1));
  const auto first_frame = static_cast<std::uintmax_t>(12 + one.size());
  // Cut the second frame at every kind of place: inside its header, its JSON, its maps, one byte short.
  for (const std::uintmax_t cut : {first_frame + 1, first_frame + 11, first_frame + 40, whole - 100, whole - 1}) {
    fs::copy_file(path, path + ".whole", fs::copy_options::overwrite_existing);
    fs::resize_file(path, cut);
    const JournalContents contents = read_journals(out());
    EXPECT_EQ(contents.torn_records, 1) << "cut at " << cut;
    ASSERT_EQ(contents.records.size(), 1u) << "cut at " << cut;
    EXPECT_EQ(contents.records[0].item, 1);
    fs::rename(path + ".whole", path);
  }
  EXPECT_EQ(read_journals(out()).records.size(), 2u);
}

TEST_F(Journals, ACorruptedPayloadFailsItsChecksumAndIsDropped) {
  const std::string path = journal_path(out(), 0, 0);
  {
    JournalWriter writer(path);
    writer.append(sample_record(1));
    writer.append(sample_record(2));
  }
  const std::string one = encode_record(sample_record(1));
  {
    std::fstream file(path, std::ios::in | std::ios::out | std::ios::binary);
    file.seekp(static_cast<std::streamoff>(12 + one.size() + 12 + 20));  // inside record 2's JSON
    file.put('#');
  }
  const JournalContents contents = read_journals(out());
  EXPECT_EQ(contents.torn_records, 1);
  ASSERT_EQ(contents.records.size(), 1u);
  EXPECT_EQ(contents.records[0].item, 1);
}

TEST(JournalCrc, MatchesTheStandardCheckValue) {
  const std::string check = "123456789";
  EXPECT_EQ(crc32(check.data(), check.size()), 0xCBF43926u);  // CRC-32/ISO-HDLC check value
}

}  // namespace
}  // namespace medanon::audit

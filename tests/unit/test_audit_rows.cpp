// The audit table's rows are generated from the field list; their layout must stay the one the
// hand-written row struct of format medanon-audit-1 had, or files of earlier versions would no
// longer read. That struct is kept here as the reference.
#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>

#include "audit/row_layout.hpp"

namespace medanon::audit {
namespace {

struct FirstFormatRow {  // medanon-audit-1, as dist/audit_file.cpp declared it
  std::int64_t item;
  char input_hash[33];
  char output[256];
  std::int8_t status;
  char error[192];
  std::int32_t rank;
  std::int32_t attempt;
  float seconds[kStageCount];
  std::int32_t tags_changed, text_found, text_redacted, text_flagged;
  float mask_score;
  float z_peak;
  std::int8_t anomaly;
  char gate[16];
  std::int64_t first_box, box_count;
};

struct FirstFormatBox {
  std::int64_t item;
  std::int32_t x, y, width, height;
  std::int8_t detector, phi, action;
  float confidence;
};

TEST(AuditRows, KeepTheFirstFormatsLayout) {
  const RowLayout& layout = audit_row_layout();
  EXPECT_EQ(layout.row_size(), sizeof(FirstFormatRow));
  ASSERT_EQ(layout.columns(), static_cast<size_t>(17 + kStageCount));
  EXPECT_EQ(layout.column(0).offset, offsetof(FirstFormatRow, item));
  EXPECT_EQ(layout.column(1).offset, offsetof(FirstFormatRow, input_hash));
  EXPECT_EQ(layout.column(2).offset, offsetof(FirstFormatRow, output));
  EXPECT_EQ(layout.column(3).offset, offsetof(FirstFormatRow, status));
  EXPECT_EQ(layout.column(4).offset, offsetof(FirstFormatRow, error));
  EXPECT_EQ(layout.column(5).offset, offsetof(FirstFormatRow, rank));
  EXPECT_EQ(layout.column(6).offset, offsetof(FirstFormatRow, attempt));
  EXPECT_EQ(layout.column(7).offset, offsetof(FirstFormatRow, seconds));
  EXPECT_EQ(layout.column(7).name, "seconds_read");
  const size_t after_seconds = 7 + kStageCount;
  EXPECT_EQ(layout.column(after_seconds).offset, offsetof(FirstFormatRow, tags_changed));
  EXPECT_EQ(layout.column(after_seconds + 4).offset, offsetof(FirstFormatRow, mask_score));
  EXPECT_EQ(layout.column(after_seconds + 5).offset, offsetof(FirstFormatRow, z_peak));
  EXPECT_EQ(layout.column(after_seconds + 6).offset, offsetof(FirstFormatRow, anomaly));
  EXPECT_EQ(layout.column(after_seconds + 7).offset, offsetof(FirstFormatRow, gate));
  EXPECT_EQ(layout.column(after_seconds + 7).size, sizeof(FirstFormatRow::gate));
  EXPECT_EQ(layout.column(after_seconds + 8).offset, offsetof(FirstFormatRow, first_box));
  EXPECT_EQ(layout.column(after_seconds + 9).offset, offsetof(FirstFormatRow, box_count));
}

TEST(AuditRows, BoxRowsKeepTheFirstFormatsLayout) {
  const RowLayout& layout = box_row_layout();
  EXPECT_EQ(layout.row_size(), sizeof(FirstFormatBox));
  EXPECT_EQ(layout.column(5).offset, offsetof(FirstFormatBox, detector));
  EXPECT_EQ(layout.column(8).offset, offsetof(FirstFormatBox, confidence));
}

TEST(AuditRows, PackAndUnpackEveryFieldAndCutLongText) {
  const RowLayout& layout = audit_row_layout();
  ItemRecord r;
  r.item = 12;
  r.input_hash = "ffffffffffffffffffffffffffffffff";
  r.status = ItemStatus::rejected;
  r.error = std::string(500, 'e');  // longer than its 192-byte column
  r.seconds[2] = 1.25f;
  r.z_peak = 3.5f;
  r.anomaly = 0;
  r.gate = "chest";
  std::vector<char> row(layout.row_size(), 0);
  RowPacker packer(layout, row.data());
  for_each_field(r, packer);
  ItemRecord back;
  RowUnpacker unpacker(layout, row.data());
  for_each_field(back, unpacker);
  EXPECT_EQ(back.item, 12);
  EXPECT_EQ(back.input_hash, r.input_hash);
  EXPECT_EQ(back.status, ItemStatus::rejected);
  EXPECT_EQ(back.error, std::string(191, 'e'));  // the start kept, terminated
  EXPECT_FLOAT_EQ(back.seconds[2], 1.25f);
  EXPECT_FLOAT_EQ(back.z_peak, 3.5f);
  EXPECT_EQ(back.gate, "chest");
  EXPECT_FALSE(back.retryable);  // journal only: never in a row
}

}  // namespace
}  // namespace medanon::audit

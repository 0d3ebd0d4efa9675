#pragma once
// The audit record's fields, listed once. The HDF5 tables' compound types, the copies between a
// record and its table rows (audit_file.cpp) and the journal's JSON (journal.cpp) are all made
// by walking these lists, so a new field is one line here.
//
// visit(name, member)                 a number or an enum: one column, one JSON value
// visit(name, member, FixedText{n})   a string: a column n bytes wide, terminator included
//                                     (parallel HDF5 1.10 cannot write variable-length strings)
// visit(name, member, JournalOnly{})  kept in the journal only, never an audit column
// Record is ItemRecord or const ItemRecord; the order is the audit table's column order.

#include <cstddef>

#include "audit/item_record.hpp"

namespace medanon::audit {

struct FixedText {
  std::size_t width;
};
struct JournalOnly {};

// "seconds_read", "seconds_validate", ...: the per-stage timing columns.
const char* seconds_column(int stage);

template <class Record, class Visit>
void for_each_field(Record& r, Visit&& visit) {
  visit("item", r.item);
  visit("input_hash", r.input_hash, FixedText{33});  // 32 hex digits
  visit("output", r.output, FixedText{256});         // PHI-free relative output paths are short
  visit("status", r.status);
  visit("error", r.error, FixedText{192});
  visit("retryable", r.retryable, JournalOnly{});
  visit("rank", r.rank);
  visit("attempt", r.attempt);
  for (int s = 0; s < kStageCount; ++s) visit(seconds_column(s), r.seconds[static_cast<std::size_t>(s)]);
  visit("tags_changed", r.tags_changed);
  visit("text_found", r.text_found);
  visit("text_redacted", r.text_redacted);
  visit("text_flagged", r.text_flagged);
  visit("mask_score", r.mask_score);
  visit("z_peak", r.z_peak);
  visit("anomaly", r.anomaly);
  visit("gate", r.gate, FixedText{16});
}

template <class Box, class Visit>
void for_each_box_field(Box& b, Visit&& visit) {
  visit("x", b.x);
  visit("y", b.y);
  visit("width", b.width);
  visit("height", b.height);
  visit("detector", b.detector);
  visit("phi", b.phi);
  visit("action", b.action);
  visit("confidence", b.confidence);
}

}  // namespace medanon::audit

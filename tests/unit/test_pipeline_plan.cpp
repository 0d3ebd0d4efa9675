// The job plan travels from rank 0 to every rank as text: it must come back whole (the todo list,
// the flush marker, the manifest with its PadChest values), empty lists included, and a plan cut
// short must be refused rather than read as a smaller job.
#include <gtest/gtest.h>

#include "core/errors.hpp"
#include "pipeline/job_plan.hpp"

namespace medanon::pipeline {
namespace {

JobPlan sample_plan() {
  JobPlan plan;
  plan.attempt = 3;
  plan.recreate_hdf5 = false;
  plan.marker = {4, 120};
  plan.items_in_scope = 6;
  plan.todo = {1, 4, 5};
  plan.manifest.source = "padchest";
  plan.manifest.root = "/data/padchest";
  for (int i = 0; i < 6; ++i) {
    io::ManifestItem item;
    item.path = "/data/padchest/0/image " + std::to_string(i) + ".png";  // a space in a path
    item.kind = io::InputKind::png;
    item.padchest_dir = "0";
    item.padchest_id = "image " + std::to_string(i) + ".png";
    item.identifying = {{"PatientID", "P" + std::to_string(i)}, {"StudyDate_DICOM", "20200101"}};
    plan.manifest.items.push_back(item);
  }
  plan.earlier.ok = 2;  // rank 0 only: never encoded
  return plan;
}

TEST(JobPlanCodec, RoundTrips) {
  const JobPlan plan = sample_plan();
  const JobPlan back = decode_plan(encode_plan(plan));
  EXPECT_EQ(back.attempt, 3);
  EXPECT_FALSE(back.recreate_hdf5);
  EXPECT_EQ(back.marker.flushes, 4);
  EXPECT_EQ(back.marker.rows, 120);
  EXPECT_EQ(back.items_in_scope, 6);
  EXPECT_EQ(back.todo, plan.todo);
  EXPECT_EQ(back.earlier.ok, 0);
  EXPECT_EQ(back.manifest.source, "padchest");
  EXPECT_EQ(back.manifest.root, plan.manifest.root);
  ASSERT_EQ(back.manifest.items.size(), 6u);
  EXPECT_EQ(back.manifest.items[4].path, plan.manifest.items[4].path);
  EXPECT_EQ(back.manifest.items[4].padchest_id, "image 4.png");
  EXPECT_EQ(back.manifest.items[4].identifying, plan.manifest.items[4].identifying);
}

TEST(JobPlanCodec, RoundTripsANothingLeftPlan) {
  JobPlan plan = sample_plan();
  plan.todo.clear();
  plan.marker = {};
  plan.recreate_hdf5 = true;
  const JobPlan back = decode_plan(encode_plan(plan));
  EXPECT_TRUE(back.todo.empty());
  EXPECT_TRUE(back.recreate_hdf5);
  EXPECT_EQ(back.marker.flushes, -1);
  EXPECT_EQ(back.manifest.items.size(), 6u);  // the empty todo line is not taken for the manifest
}

TEST(JobPlanCodec, RefusesAPlanCutShort) {
  const std::string text = encode_plan(sample_plan());
  EXPECT_THROW(decode_plan(text.substr(0, text.find('\n', text.find('\n') + 1))), InternalError);
  std::string wrong_count = text;
  wrong_count.replace(wrong_count.find("6 3"), 3, "6 4");  // says four items, lists three
  EXPECT_THROW(decode_plan(wrong_count), InternalError);
}

}  // namespace
}  // namespace medanon::pipeline

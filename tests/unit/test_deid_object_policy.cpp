// Which object classes get which treatment (docs/archives.md's table), by SOP Class UID.

#include <gtest/gtest.h>

#include "deid/object_policy.hpp"

namespace medanon::deid {
namespace {

TEST(ObjectPolicy, ImagesGetThePixelStagesAndNeedPixelData) {
  for (const char* uid : {"1.2.840.10008.5.1.4.1.1.2", "1.2.840.10008.5.1.4.1.1.4", "1.2.840.10008.5.1.4.1.1.6.1",
                          "1.2.840.10008.5.1.4.1.1.7", "1.2.840.10008.5.1.4.1.1.481.1"}) {
    const ObjectPolicy policy = object_policy(uid, true);
    EXPECT_EQ(policy.family, ObjectFamily::image) << uid;
    EXPECT_TRUE(policy.pixel_stages) << uid;
    EXPECT_TRUE(object_policy(uid, false).needs_pixel_data) << uid;
  }
  // A private class is an image when it has pixels, a non-image object when it has none.
  EXPECT_TRUE(object_policy("1.3.12.2.1107.5.9.1", true).pixel_stages);
  EXPECT_EQ(object_policy("1.3.12.2.1107.5.9.1", false).family, ObjectFamily::other_non_image);
}

TEST(ObjectPolicy, NonImageObjectsGetTheHeaderProfileOnly) {
  EXPECT_EQ(object_policy("1.2.840.10008.5.1.4.1.1.88.11", false).family, ObjectFamily::structured_report);
  EXPECT_TRUE(object_policy("1.2.840.10008.5.1.4.1.1.88.67", false).structured_content);  // X-ray dose SR
  EXPECT_EQ(object_policy("1.2.840.10008.5.1.4.1.1.88.59", false).family, ObjectFamily::key_object);
  EXPECT_EQ(object_policy("1.2.840.10008.5.1.4.1.1.11.1", false).family, ObjectFamily::presentation_state);
  EXPECT_EQ(object_policy("1.2.840.10008.5.1.4.1.1.9.1.1", false).family, ObjectFamily::waveform);
  for (const char* rt : {"1.2.840.10008.5.1.4.1.1.481.2", "1.2.840.10008.5.1.4.1.1.481.3", "1.2.840.10008.5.1.4.1.1.481.5"}) {
    const ObjectPolicy policy = object_policy(rt, true);
    EXPECT_EQ(policy.family, ObjectFamily::rt_non_image) << rt;
    EXPECT_FALSE(policy.pixel_stages) << rt << ": a dose grid is numbers, not a picture";
  }
  const ObjectPolicy seg = object_policy("1.2.840.10008.5.1.4.1.1.66.4", true);
  EXPECT_EQ(seg.family, ObjectFamily::segmentation);
  EXPECT_FALSE(seg.pixel_stages);
}

TEST(ObjectPolicy, DocumentsAndDirectoriesAreTheirOwnFamilies) {
  EXPECT_EQ(object_policy("1.2.840.10008.5.1.4.1.1.104.1", false).family, ObjectFamily::encapsulated_document);
  EXPECT_EQ(object_policy("1.2.840.10008.5.1.4.1.1.104.2", false).family, ObjectFamily::encapsulated_document);
  EXPECT_EQ(object_policy("1.2.840.10008.1.3.10", false).family, ObjectFamily::media_directory);
}

}  // namespace
}  // namespace medanon::deid

// Pseudonyms and the project key: UIDs under 2.25, short patient IDs, per-patient date shifts,
// all a function of (key, original) only; key files that others can read are refused.

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "core/errors.hpp"
#include "deid/dates.hpp"
#include "deid/pseudonyms.hpp"

namespace medanon::deid {
namespace {

namespace fs = std::filesystem;

ProjectKey key_of(char fill) { return ProjectKey::from_bytes(std::vector<std::uint8_t>(32, std::uint8_t(fill))); }

fs::path write_key_file(const std::string& name, std::size_t bytes, mode_t mode) {
  const fs::path path = fs::temp_directory_path() / ("medanon_deid_key_" + std::to_string(::getpid()) + "_" + name);
  std::ofstream(path, std::ios::binary) << std::string(bytes, 'k');
  ::chmod(path.c_str(), mode);
  return path;
}

TEST(DeidPseudonyms, UidIsA225UidOfTheKeyedHashAndTheSameEveryTime) {
  const Pseudonymizer pseudonyms(key_of('a'));
  const std::string uid = pseudonyms.uid("1.2.826.0.1.3680043.2.1125.1");
  EXPECT_EQ(uid.rfind("2.25.", 0), 0U);
  EXPECT_LE(uid.size(), 64U);  // PS3.5 9.1
  EXPECT_NE(uid[5], '0');      // PS3.5 9.1: no leading zero in a component
  EXPECT_EQ(uid.find_first_not_of("0123456789.", 0), std::string::npos);
  EXPECT_EQ(uid, Pseudonymizer(key_of('a')).uid("1.2.826.0.1.3680043.2.1125.1"));
  EXPECT_NE(uid, Pseudonymizer(key_of('b')).uid("1.2.826.0.1.3680043.2.1125.1"));
  EXPECT_NE(uid, pseudonyms.uid("1.2.826.0.1.3680043.2.1125.2"));
}

TEST(DeidPseudonyms, WellKnownDicomUidsStayAsTheyAre) {
  const Pseudonymizer pseudonyms(key_of('a'));
  EXPECT_EQ(pseudonyms.uid("1.2.840.10008.5.1.4.1.1.1"), "1.2.840.10008.5.1.4.1.1.1");
}

TEST(DeidPseudonyms, PatientIdIsShortAndDistinctPerPatient) {
  const Pseudonymizer pseudonyms(key_of('a'));
  std::set<std::string> ids;
  for (int i = 0; i < 1000; ++i) ids.insert(pseudonyms.patient_id(std::to_string(40000000 + i)));
  EXPECT_EQ(ids.size(), 1000U);
  const std::string id = pseudonyms.patient_id("40817263");
  EXPECT_EQ(id.size(), 14U);  // fits SH (16)
  EXPECT_EQ(id.rfind("PX", 0), 0U);
  EXPECT_EQ(id, Pseudonymizer(key_of('a')).patient_id("40817263"));
}

TEST(DeidPseudonyms, DateShiftIsPerPatientIntoThePastAndKeepsIntervals) {
  const Pseudonymizer pseudonyms(key_of('a'));
  std::set<int> shifts;
  for (int i = 0; i < 50; ++i) {
    const int days = pseudonyms.date_shift_days("P" + std::to_string(i));
    EXPECT_LE(days, -1);
    EXPECT_GE(days, -3652);
    shifts.insert(days);
  }
  EXPECT_GT(shifts.size(), 40U);
  const int days = pseudonyms.date_shift_days("40817263");
  // 10 days apart before, 10 days apart after.
  const std::string a = *shift_date("20230401", days);
  const std::string b = *shift_date("20230411", days);
  EXPECT_EQ(*shift_date(a, 10), b);
}

TEST(DeidProjectKey, RefusesAKeyFileOthersCanRead) {
  const fs::path readable = write_key_file("readable", 32, 0644);
  EXPECT_THROW(ProjectKey::from_file(readable.string(), /*insecure=*/false), UsageError);
  EXPECT_NO_THROW(ProjectKey::from_file(readable.string(), /*insecure=*/true));
  const fs::path group = write_key_file("group", 32, 0640);
  EXPECT_THROW(ProjectKey::from_file(group.string(), false), UsageError);
  fs::remove(readable);
  fs::remove(group);
}

TEST(DeidProjectKey, RefusesAMissingOrShortKeyAndAcceptsAPrivateOne) {
  EXPECT_THROW(ProjectKey::from_file("/nonexistent/medanon.key", false), UsageError);
  const fs::path short_key = write_key_file("short", 8, 0600);
  EXPECT_THROW(ProjectKey::from_file(short_key.string(), false), UsageError);
  const fs::path good = write_key_file("good", 32, 0600);
  const ProjectKey key = ProjectKey::from_file(good.string(), false);
  EXPECT_EQ(key.bytes().size(), 32U);
  fs::remove(short_key);
  fs::remove(good);
}

TEST(DeidProjectKey, FingerprintNamesTheKeyWithoutRevealingIt) {
  const std::string fingerprint = key_of('a').fingerprint();
  EXPECT_EQ(fingerprint.size(), 16U);
  EXPECT_EQ(fingerprint, key_of('a').fingerprint());
  EXPECT_NE(fingerprint, key_of('b').fingerprint());
  EXPECT_EQ(fingerprint.find("6161"), std::string::npos);  // not the key's bytes in hex
}

TEST(DeidDates, ShiftsAcrossMonthYearAndLeapDays) {
  EXPECT_EQ(*shift_date("20240301", -1), "20240229");
  EXPECT_EQ(*shift_date("20230301", -1), "20230228");
  EXPECT_EQ(*shift_date("20230101", -1), "20221231");
  EXPECT_EQ(*shift_date("20000229", 366), "20010301");
  EXPECT_EQ(*shift_date("20230411\\20230412", -11), "20230331\\20230401");
}

TEST(DeidDates, ShiftsTheDatePartOfDateTimesAndKeepsTimeAndOffset) {
  EXPECT_EQ(*shift_date_time("20230411093512", -11), "20230331093512");
  EXPECT_EQ(*shift_date_time("20230411093512.123456+0100", -1), "20230410093512.123456+0100");
  EXPECT_EQ(*shift_date_time("202304", -40), "202302");  // month precision: the 1st moved back 40 days
  EXPECT_EQ(*shift_date_time("2023", -1), "2022");
}

TEST(DeidDates, RejectsMalformedDates) {
  EXPECT_FALSE(shift_date("20231301", 1));
  EXPECT_FALSE(shift_date("20230230", 1));
  EXPECT_FALSE(shift_date("2023-04-11", 1));
  EXPECT_FALSE(shift_date_time("2023041", 1));
}

}  // namespace
}  // namespace medanon::deid

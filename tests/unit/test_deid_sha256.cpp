// SHA-256 and HMAC-SHA256, written in-house for the pseudonyms: the FIPS 180-4 example
// messages and the RFC 4231 HMAC test cases.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "deid/sha256.hpp"

namespace medanon::deid {
namespace {

std::vector<std::uint8_t> repeated(std::uint8_t byte, std::size_t count) { return std::vector<std::uint8_t>(count, byte); }

std::string repeated_text(char c, std::size_t count) { return std::string(count, c); }

TEST(DeidSha256, MatchesTheFips180ExampleMessages) {
  EXPECT_EQ(to_hex(sha256("abc")), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(to_hex(sha256("")), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(to_hex(sha256("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(to_hex(sha256(repeated_text('a', 1000000))),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(DeidSha256, GivesTheSameDigestWhateverTheUpdateSizes) {
  const std::string message = repeated_text('x', 200);
  Sha256 pieces;
  pieces.update(message.substr(0, 1));
  pieces.update(message.substr(1, 63));
  pieces.update(message.substr(64, 65));
  pieces.update(message.substr(129));
  EXPECT_EQ(to_hex(pieces.finish()), to_hex(sha256(message)));
}

TEST(DeidHmacSha256, MatchesRfc4231TestCases) {
  EXPECT_EQ(to_hex(hmac_sha256(repeated(0x0b, 20), "Hi There")),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  EXPECT_EQ(to_hex(hmac_sha256({'J', 'e', 'f', 'e'}, "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  EXPECT_EQ(to_hex(hmac_sha256(repeated(0xaa, 20), repeated_text('\xdd', 50))),
            "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe");
  std::vector<std::uint8_t> counting;
  for (std::uint8_t b = 1; b <= 25; ++b) counting.push_back(b);
  EXPECT_EQ(to_hex(hmac_sha256(counting, repeated_text('\xcd', 50))),
            "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b");
}

TEST(DeidHmacSha256, HashesKeysLongerThanOneBlockFirst) {  // RFC 4231 cases 6 and 7
  EXPECT_EQ(to_hex(hmac_sha256(repeated(0xaa, 131), "Test Using Larger Than Block-Size Key - Hash Key First")),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
  EXPECT_EQ(to_hex(hmac_sha256(repeated(0xaa, 131),
                               "This is a test using a larger than block-size key and a larger than block-size data. "
                               "The key needs to be hashed before being used by the HMAC algorithm.")),
            "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2");
}

}  // namespace
}  // namespace medanon::deid

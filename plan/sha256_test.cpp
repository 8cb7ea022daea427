#include <catch2/catch.hpp>

#include "plan/sha256.h"

namespace starform {
namespace {

TEST_CASE("sha256: the FIPS 180-2 test vectors, prefixed") {
  CHECK(Sha256Digest("abc") ==
        "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(Sha256Digest("") ==
        "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

}  // namespace
}  // namespace starform

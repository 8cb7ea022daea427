#include "cmd/args.h"

#include <catch2/catch.hpp>

using starform::NormalizeArgs;
using V = std::vector<std::string>;

TEST_CASE("NormalizeArgs splits -x=value as pflag does") {
  CHECK(NormalizeArgs({"-n=foo"}) == V{"-n", "foo"});
  CHECK(NormalizeArgs({"-v=6"}) == V{"-v", "6"});
  CHECK(NormalizeArgs({"-f=a=b.yaml"}) == V{"-f", "a=b.yaml"});
  CHECK(NormalizeArgs({"-n="}) == V{"-n", ""});
}

TEST_CASE("NormalizeArgs spells kubectl's --v as -v") {
  CHECK(NormalizeArgs({"--v=6"}) == V{"-v", "6"});
  CHECK(NormalizeArgs({"--v", "6"}) == V{"-v", "6"});
}

TEST_CASE("NormalizeArgs leaves other spellings to CLI11") {
  CHECK(NormalizeArgs({"-nfoo", "--namespace=foo", "--namespace", "foo", "-n", "foo"}) ==
        V{"-nfoo", "--namespace=foo", "--namespace", "foo", "-n", "foo"});
  CHECK(NormalizeArgs({"--verbose=1"}) == V{"--verbose=1"});
  CHECK(NormalizeArgs({"-"}) == V{"-"});
}

TEST_CASE("NormalizeArgs leaves everything after -- alone") {
  CHECK(NormalizeArgs({"--", "-n=foo", "--v=2"}) == V{"--", "-n=foo", "--v=2"});
}

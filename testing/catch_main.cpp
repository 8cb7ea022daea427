// The one main() of every test binary; each folder's tests link it.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>

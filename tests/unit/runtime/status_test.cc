// tml_status_str (runtime/src/support/tml_status_str.c): every status has its own words, and
// anything else is "unknown status" (a generated NAME_status_str returns these).
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "tml_status.h"

namespace {

TEST(StatusStr, EveryStatusHasItsOwnDescription) {
  const int all[] = {TML_OK, TML_ERROR_ARG, TML_ERROR_BUFFER, TML_ERROR_INDEX,
                     TML_ERROR_NOT_INITIALIZED, TML_ERROR_ARENA_SIZE, TML_ERROR_ARENA_ALIGN};
  std::set<std::string> seen;
  for (int s : all) {
    const std::string text = tml_status_str(s);
    EXPECT_NE(text, "unknown status") << s;
    EXPECT_TRUE(seen.insert(text).second) << "duplicate description for " << s;
  }
  EXPECT_EQ(std::string(tml_status_str(TML_OK)), "ok");
  EXPECT_EQ(std::string(tml_status_str(TML_ERROR_ARENA_SIZE)), "arena smaller than NAME_ARENA_BYTES");
}

TEST(StatusStr, UnknownCodes) {
  EXPECT_EQ(std::string(tml_status_str(-7)), "unknown status");
  EXPECT_EQ(std::string(tml_status_str(1)), "unknown status");
}

}  // namespace

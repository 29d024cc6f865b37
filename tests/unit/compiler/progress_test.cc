#include "compiler/cli/progress.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <thread>

namespace tml {
namespace {

std::string ReadAll(std::FILE* f) {
  std::fflush(f);
  std::rewind(f);
  std::string text;
  char buf[256];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) text.append(buf, n);
  return text;
}

TEST(ProgressTest, QuietWhenNotATerminal) {
  std::FILE* f = std::tmpfile();
  ASSERT_NE(f, nullptr);
  {
    Progress p("emulating", 10, f, /*enabled=*/false);
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    for (int i = 0; i <= 10; ++i) p.Update(i);
  }
  EXPECT_EQ(ReadAll(f), "");
  std::fclose(f);
}

TEST(ProgressTest, DrawsAndClearsOnATerminal) {
  std::FILE* f = std::tmpfile();
  ASSERT_NE(f, nullptr);
  {
    Progress p("emulating", 10, f, /*enabled=*/true);
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    p.Update(5);
    p.Done();
  }
  const std::string text = ReadAll(f);
  EXPECT_NE(text.find("emulating ["), std::string::npos) << text;
  EXPECT_NE(text.find("5/10 (50%"), std::string::npos) << text;
  // Ends by erasing its line.
  EXPECT_EQ(text.substr(text.size() - 4), "\r\x1b[K");
  std::fclose(f);
}

TEST(ProgressTest, ShortStepsStaySilent) {
  std::FILE* f = std::tmpfile();
  ASSERT_NE(f, nullptr);
  {
    Progress p("fast", 3, f, /*enabled=*/true);
    for (int i = 0; i <= 3; ++i) p.Update(i);
  }
  EXPECT_EQ(ReadAll(f), "");
  std::fclose(f);
}

}  // namespace
}  // namespace tml

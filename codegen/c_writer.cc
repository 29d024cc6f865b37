#include "codegen/c_writer.h"

#include <cctype>
#include <cmath>
#include <cstdio>
#include <set>

namespace tml::codegen {

std::string FloatLiteral(float value) {
  if (std::isnan(value)) return "NAN";
  if (std::isinf(value)) return value > 0 ? "INFINITY" : "-INFINITY";
  char buf[48];
  std::snprintf(buf, sizeof(buf), "%.9g", static_cast<double>(value));
  std::string text = buf;
  // "1" would be an int and "1e+10" needs no dot; "1.f" reads oddly, so add ".0".
  if (text.find_first_of(".e") == std::string::npos) text += ".0";
  return text + "f";
}

std::string CIdentifier(const std::string& text) {
  std::string out;
  for (char c : text) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_';
    out += ok ? c : '_';
  }
  if (out.empty() || (out[0] >= '0' && out[0] <= '9')) out = "_" + out;
  return out;
}

std::string MacroPrefix(const std::string& name) {
  std::string out = name;
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

std::string WhyNotModelName(const std::string& name) {
  static const std::set<std::string> kKeywords = {
      "auto", "break", "case", "char", "const", "continue", "default", "do", "double", "else",
      "enum", "extern", "float", "for", "goto", "if", "inline", "int", "long", "register",
      "restrict", "return", "short", "signed", "sizeof", "static", "struct", "switch", "typedef",
      "union", "unsigned", "void", "volatile", "while", "_Alignas", "_Alignof", "_Atomic", "_Bool",
      "_Complex", "_Generic", "_Imaginary", "_Noreturn", "_Static_assert", "_Thread_local",
      "asm", "main"};
  static const std::set<std::string> kHeaders = {
      "assert", "complex", "ctype", "errno", "fenv", "float", "inttypes", "iso646", "limits",
      "locale", "math", "setjmp", "signal", "stdalign", "stdarg", "stdatomic", "stdbool", "stddef",
      "stdint", "stdio", "stdlib", "stdnoreturn", "string", "tgmath", "threads", "time", "uchar",
      "wchar", "wctype", "malloc", "unistd", "strings", "alloca"};
  if (name.empty() || CIdentifier(name) != name) return "is not a C identifier (letters, digits, _)";
  if (kKeywords.count(name) != 0) return "is a C keyword (or main)";
  if (name.size() >= 2 && name[0] == '_' && (name[1] == '_' || (name[1] >= 'A' && name[1] <= 'Z'))) {
    return "is reserved to the C implementation (starts with __ or _ and a capital)";
  }
  if (kHeaders.count(name) != 0) return "is the name of a standard C header (" + name + ".h would shadow it)";
  if (name.rfind("tml_", 0) == 0 || name == "tml") return "is in the runtime's tml_ namespace";
  return "";
}

std::string CommentText(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c < 0x20 || c > 0x7e) c = '?';
    if (c == '/' && !out.empty() && out.back() == '*') c = '|';
    out += c;
  }
  return out;
}

void CWriter::Line(const std::string& text) {
  if (!text.empty()) text_.append(static_cast<size_t>(indent_) * 2, ' ');
  text_ += text;
  text_ += '\n';
}

void CWriter::Comment(const std::string& text) { Line("/* " + CommentText(text) + " */"); }

void CWriter::Open(const std::string& head) {
  Line(head.empty() ? "{" : head + " {");
  Indent();
}

void CWriter::Close(const std::string& tail) {
  Dedent();
  Line("}" + tail);
}

void CWriter::FloatArray(const std::string& decl, const std::vector<float>& values,
                         int per_line) {
  Line(decl + " = {");
  Indent();
  for (size_t i = 0; i < values.size(); i += static_cast<size_t>(per_line)) {
    std::string row;
    for (size_t k = i; k < values.size() && k < i + static_cast<size_t>(per_line); ++k) {
      if (!row.empty()) row += ' ';
      row += FloatLiteral(values[k]) + ",";
    }
    Line(row);
  }
  Dedent();
  Line("};");
}

void CWriter::IntArray(const std::string& decl, const std::vector<int64_t>& values, int per_line) {
  Line(decl + " = {");
  Indent();
  for (size_t i = 0; i < values.size(); i += static_cast<size_t>(per_line)) {
    std::string row;
    for (size_t k = i; k < values.size() && k < i + static_cast<size_t>(per_line); ++k) {
      if (!row.empty()) row += ' ';
      row += std::to_string(values[k]) + ",";
    }
    Line(row);
  }
  Dedent();
  Line("};");
}

}  // namespace tml::codegen

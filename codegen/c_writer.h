// CWriter: the text side of code generation — indentation, comments, C
// identifiers and literals, and array printing.
//
// Everything the emitters print goes through here so the output is
// byte-identical for identical input: floats are printed with "%.9g" (nine
// significant digits round-trip every float32 exactly) plus an "f" suffix,
// non-finite values as INFINITY / -INFINITY / NAN (from <math.h>), and arrays
// wrap at a fixed number of values per line. No locale, no pointers, no
// timestamps ever reach the text.
#ifndef TML_CODEGEN_C_WRITER_H_
#define TML_CODEGEN_C_WRITER_H_

#include <cstdint>
#include <string>
#include <vector>

namespace tml::codegen {

// "1.5f", "-0.100000001f", "INFINITY", "NAN": a C99 float expression that
// evaluates to exactly `value`.
std::string FloatLiteral(float value);

// A C identifier made from `text`: characters outside [A-Za-z0-9_] become '_',
// a leading digit gets a '_' prefix. Empty text gives "_".
std::string CIdentifier(const std::string& text);

// `name` upper-cased (ASCII): the prefix of a model's macros, NAME_INPUT_SIZE.
std::string MacroPrefix(const std::string& name);

// Why `name` cannot be the model's C prefix and file stem (--name), or "" when
// it can: it must be a C identifier, not a C keyword, not reserved to the
// implementation ("__x", "_X"), not the stem of a standard C header (NAME.h
// would shadow <stdint.h> & co. on the include path) and not in the runtime's
// "tml_" namespace.
std::string WhyNotModelName(const std::string& name);

// `text` made safe inside a /* */ comment (no "*/", no newlines, printable ASCII).
std::string CommentText(const std::string& text);

class CWriter {
 public:
  // Appends one line at the current indentation (an empty line has no spaces).
  void Line(const std::string& text = "");
  // "/* text */" on its own line.
  void Comment(const std::string& text);
  void Indent() { ++indent_; }
  void Dedent() { --indent_; }
  // Opens "<head> {" and indents; Close() dedents and prints "}<tail>".
  void Open(const std::string& head);
  void Close(const std::string& tail = "");

  // `<decl> = { ... };` with `per_line` values per line.
  void FloatArray(const std::string& decl, const std::vector<float>& values, int per_line = 8);
  void IntArray(const std::string& decl, const std::vector<int64_t>& values, int per_line = 16);

  const std::string& str() const { return text_; }

 private:
  std::string text_;
  int indent_ = 0;
};

}  // namespace tml::codegen

#endif  // TML_CODEGEN_C_WRITER_H_

// Exceptions: one root, and an input error that says where the bad input is.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

namespace healthcast {

// `text` quoted for a message: control characters, DEL and bytes that are not valid UTF-8 shown
// as \xNN (no terminal escape sequence reaches the terminal), at most `limit` characters kept
// (the rest summarised as "... (N bytes)").
std::string printable(std::string_view text, std::size_t limit = 80);

// Root of every exception the library throws on purpose.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Where in an input file a problem sits. line and column are 1-based; 0 means unknown.
struct SourceLocation {
  std::string file;
  int line = 0;
  int column = 0;
};

// Bad user input (scenario or data file). The message names the file, line, column and field,
// the offending value and what is allowed, so that the user can fix it without reading code.
class InputError : public Error {
 public:
  InputError(SourceLocation where, std::string field, std::string problem);

  const SourceLocation& where() const { return where_; }
  const std::string& field() const { return field_; }
  const std::string& problem() const { return problem_; }

 private:
  SourceLocation where_;
  std::string field_;
  std::string problem_;
};

// A run stopped on request (a progress callback returned false, or Ctrl-C in Python).
class Interrupted : public Error {
 public:
  Interrupted() : Error("the projection was interrupted") {}
};

// A results file that is missing, unreadable or not a healthcast results file.
class FileFormatError : public Error {
 public:
  using Error::Error;
};

}  // namespace healthcast

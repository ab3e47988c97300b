// healthcast lifetable MX.csv --sex female|male|total
#include <filesystem>
#include <memory>
#include <string>

#include <fmt/format.h>

#include "commands.h"
#include "healthcast/demography/life_table.h"
#include "healthcast/error.h"
#include "healthcast/input/csv.h"

namespace healthcast::cli {

namespace {

struct LifeTableOptions {
  std::filesystem::path mx;
  std::string sex = "total";
};

std::string number(double v) { return fmt::format("{:.10g}", v); }

void print_life_table(const LifeTableOptions& opt) {
  demography::Sex sex{};
  demography::parse_sex(opt.sex, sex);  // CLI11 has checked the name already
  const auto csv = input::CsvTable::read(opt.mx);
  csv.require_columns({"age", "mx"});
  std::vector<int> x;
  std::vector<double> m;
  for (std::size_t r = 0; r < csv.rows(); ++r) {
    x.push_back(csv.integer(r, "age"));
    m.push_back(csv.number(r, "mx"));
  }
  if (x.empty()) throw InputError({opt.mx.string(), 0, 0}, "", "the file has no data rows");
  demography::LifeTable t;
  try {
    t = demography::life_table(x, m, sex);
  } catch (const InputError& e) {
    throw InputError({opt.mx.string(), 0, 0}, e.field(), e.problem());  // name the user's file
  }
  fmt::print("age,n,mx,qx,ax,lx,dx,Lx,Tx,ex\n");
  for (std::size_t i = 0; i < t.size(); ++i)
    fmt::print("{},{},{},{},{},{},{},{},{},{}\n", t.x[i],
               i + 1 < t.size() ? std::to_string(t.n[i]) : std::string(), number(t.m[i]),
               number(t.q[i]), number(t.a[i]), number(t.l[i]), number(t.d[i]), number(t.L[i]),
               number(t.T[i]), number(t.e[i]));
}

}  // namespace

void add_lifetable_command(CLI::App& app) {
  auto opt = std::make_shared<LifeTableOptions>();
  auto* cmd =
      app.add_subcommand("lifetable",
                         "Life table from death rates: reads CSV columns age,mx (ages are the left "
                         "edges of the intervals, the last is open) and writes CSV to stdout "
                         "(age,n,mx,qx,ax,lx,dx,Lx,Tx,ex; n is empty for the open interval)");
  cmd->add_option("mx", opt->mx, "CSV file with columns age,mx")->required();
  cmd->add_option("--sex", opt->sex, "Sex for the age-0 and 1-4 separation factors")
      ->check(CLI::IsMember({"female", "male", "total"}))
      ->capture_default_str();
  cmd->callback([opt] { print_life_table(*opt); });
}

}  // namespace healthcast::cli

/*
** cli.h -- commands of the o2o binary that live outside main.c (which wires
** the server). Each takes the whole argv and returns the exit status.
*/
#ifndef O2O_CLI_CLI_H
#define O2O_CLI_CLI_H

/* When argv (past the command) holds --help or -h: usage on stdout, and 1 (the
** command then exits 0). */
int cli_help(int argc, char **argv, const char *usage);

/* o2o mine rules --input FILE ... */
int cli_mine(int argc, char **argv);

/* o2o eval recommendations --input FILE --split DATE [--k N] */
int cli_eval(int argc, char **argv);

/* o2o funnel STEP... / o2o paths --event NAME: over the events in the database. */
int cli_funnel(int argc, char **argv);
int cli_paths(int argc, char **argv);

/* o2o report daily|monthly ...: the reports of a scope on the terminal or into a file. */
int cli_report(int argc, char **argv);

#endif

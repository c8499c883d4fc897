/*
** help.c -- `--help` and `-h` for every command: the command's usage on standard
** output and exit status 0, whatever else was given.
*/
#include "cli/cli.h"

#include <stdio.h>
#include <string.h>

int cli_help(int argc, char **argv, const char *usage)
{
    for (int i = 2; i < argc; i++)
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            fputs(usage, stdout);
            return 1;
        }
    return 0;
}

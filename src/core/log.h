/*
** log.h -- leveled logging to stderr, one line per call, with a UTC timestamp.
*/
#ifndef O2O_CORE_LOG_H
#define O2O_CORE_LOG_H

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };

void log_set_level(enum log_level lvl);
void log_msg(enum log_level lvl, const char *module, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#define log_debug(...) log_msg(LOG_DEBUG, MODULE_NAME, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, MODULE_NAME, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARN, MODULE_NAME, __VA_ARGS__)
#define log_error(...) log_msg(LOG_ERROR, MODULE_NAME, __VA_ARGS__)

#endif

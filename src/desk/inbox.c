/*
** inbox.c -- what the desk's screens read (conversation.h, "Reads"): a
** conversation's messages and who a contact is (the open conversations are
** conversation.c's, which reads conversations).
*/
#include "desk/conversation.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"

int desk_messages(struct db_conn *c, int64_t conversation_id, int (*cb)(const struct desk_message *m, void *arg),
                  void *arg)
{
    struct db_stmt *s = NULL;
    struct desk_message *m = NULL;
    int rc = db_query(c, &s,
                      "SELECT id, direction, medium, author, body, created_at FROM desk_messages "
                      "WHERE conversation_id = $1 ORDER BY id",
                      "i", conversation_id);
    if (rc == DB_ROW)
        m = calloc(1, sizeof *m);
    while (rc == DB_ROW) {
        memset(m, 0, sizeof *m);
        m->id = db_col_i64(s, 0);
        str_copy(m->direction, sizeof m->direction, db_col_text(s, 1));
        str_copy(m->medium, sizeof m->medium, db_col_text(s, 2));
        str_copy(m->author, sizeof m->author, db_col_text(s, 3));
        str_copy(m->body, sizeof m->body, db_col_text(s, 4));
        m->created_at = db_col_i64(s, 5);
        if ((rc = cb(m, arg)) != 0)
            break;
        rc = db_step(s);
    }
    db_done(s);
    free(m);
    return rc < 0 ? rc : 0;
}

int desk_contact(struct db_conn *c, int64_t contact_id, int64_t *member_id, char name[129], char ids[1024])
{
    struct db_stmt *s = NULL;
    size_t len = 0;
    int rc = db_query(c, &s, "SELECT COALESCE(member_id, 0), name FROM desk_contacts WHERE id = $1", "i", contact_id);
    *member_id = 0;
    name[0] = ids[0] = 0;
    if (rc == DB_ROW) {
        *member_id = db_col_i64(s, 0);
        str_copy(name, 129, db_col_text(s, 1));
    }
    db_done(s);
    if (rc < 0)
        return rc;
    rc = db_query(c, &s, "SELECT kind, value FROM desk_identities WHERE contact_id = $1 ORDER BY kind, value", "i",
                  contact_id);
    while (rc == DB_ROW) {
        int w = snprintf(ids + len, 1024 - len, "%s:%s\n", db_col_text(s, 0), db_col_text(s, 1));
        if (w < 0 || (size_t)w >= 1024 - len)
            break;
        len += (size_t)w;
        rc = db_step(s);
    }
    db_done(s);
    return rc < 0 ? rc : 0;
}

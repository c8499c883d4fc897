/*
** api_locations.c -- /v1/regions and /v1/locations: validate, call org/location.c, render.
*/
#include "api/api.h"
#include "org/handlers.h"

#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "core/util.h"
#include "org/location.h"

static json_t *render_region(const struct region *r)
{
    return json_pack("{s:I, s:s, s:s, s:o}", "id", (json_int_t)r->id, "code", r->code, "name", r->name, "parent",
                     jstr_or_null(r->parent_code));
}

json_t *api_render_location(const struct location *l)
{
    return json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:s, s:s, s:s, s:s}", "id", (json_int_t)l->id, "code",
                     l->code, "name", l->name, "kind", l->kind, "region", l->region_code, "address", l->address, "lat",
                     l->has_geo ? json_real(l->lat) : json_null(), "lon", l->has_geo ? json_real(l->lon) : json_null(),
                     "timezone", l->timezone, "opens_at", l->opens_at, "closes_at", l->closes_at, "status", l->status);
}

static int region_cb(const struct region *r, void *arg)
{
    json_array_append_new(arg, render_region(r));
    return 0;
}

int api_regions_list(struct http_req *rq)
{
    json_t *items = json_array();
    int rc = region_list(api_reader(), region_cb, items);
    if (rc) {
        json_decref(items);
        return rc;
    }
    return http_reply_json(rq, 200, json_pack("{s:o}", "items", items));
}

static int region_body(struct db_conn *c, void *arg, const struct principal *who, json_t **out)
{
    struct region *r = arg;
    int rc = region_create(c, r);
    if (!rc && r->parent_id)
        rc = scope_check_region(c, who, r->parent_id);
    else if (!rc && who->scope != SCOPE_CHAIN)
        rc = err_set(O2O_EFORBIDDEN, "out_of_scope", "parent", "only the whole chain's staff can add a root region");
    if (!rc)
        *out = render_region(r);
    return rc;
}

int api_regions_create(struct http_req *rq)
{
    struct region *r = xcalloc(1, sizeof *r);
    int rc = jin_str(rq->json, "code", true, r->code, sizeof r->code);
    if (!rc)
        rc = jin_str(rq->json, "name", true, r->name, sizeof r->name);
    if (!rc)
        rc = jin_str(rq->json, "parent", false, r->parent_code, sizeof r->parent_code);
    if (rc) {
        free(r);
        return rc;
    }
    return api_write(rq, region_body, r, 201);
}

static int loc_cb(const struct location *l, void *arg)
{
    json_array_append_new(arg, api_render_location(l));
    return 0;
}

int api_locations_list(struct http_req *rq)
{
    const char *kind = http_query(rq, "kind");
    json_t *items = json_array();
    int rc = location_list(api_reader(), &rq->who, kind ? kind : "", loc_cb, items);
    if (rc) {
        json_decref(items);
        return rc;
    }
    return http_reply_json(rq, 200, json_pack("{s:o}", "items", items));
}

int api_locations_get(struct http_req *rq)
{
    struct location l;
    int rc = location_get_by_code(api_reader(), rq->params[0], &l);
    if (!rc && rq->who.role != ROLE_MEMBER && rq->who.role != ROLE_CHANNEL)
        rc = scope_check_location(api_reader(), &rq->who, l.id);
    if (rc)
        return rc;
    return http_reply_json(rq, 200, api_render_location(&l));
}

static int parse_location(json_t *o, struct location *l, bool create)
{
    bool has_lat = false, has_lon = false;
    int rc = 0;
    if (create)
        rc = jin_str(o, "code", true, l->code, sizeof l->code);
    if (!rc)
        rc = jin_str(o, "name", create, l->name, sizeof l->name);
    if (!rc && create)
        rc = jin_str(o, "kind", true, l->kind, sizeof l->kind);
    if (!rc && create)
        rc = jin_str(o, "region", true, l->region_code, sizeof l->region_code);
    if (!rc)
        rc = jin_str(o, "address", false, l->address, sizeof l->address);
    if (!rc)
        rc = jin_f64(o, "lat", false, -90, 90, &l->lat, &has_lat);
    if (!rc)
        rc = jin_f64(o, "lon", false, -180, 180, &l->lon, &has_lon);
    if (!rc && has_lat != has_lon)
        rc = err_set(O2O_EINVAL, "missing_field", has_lat ? "lon" : "lat", "give both lat and lon");
    if (has_lat && has_lon)
        l->has_geo = true;
    if (!rc)
        rc = jin_str(o, "timezone", false, l->timezone, sizeof l->timezone);
    if (!rc)
        rc = jin_str(o, "opens_at", false, l->opens_at, sizeof l->opens_at);
    if (!rc)
        rc = jin_str(o, "closes_at", false, l->closes_at, sizeof l->closes_at);
    if (!rc)
        rc = jin_str(o, "status", false, l->status, sizeof l->status);
    return rc;
}

static int location_body(struct db_conn *c, void *arg, const struct principal *who, json_t **out)
{
    struct location *l = arg;
    int rc = location_create(c, l);
    if (!rc)
        rc = scope_check_region(c, who, l->region_id);
    if (!rc)
        *out = api_render_location(l);
    return rc;
}

int api_locations_create(struct http_req *rq)
{
    struct location *l = xcalloc(1, sizeof *l);
    int rc = parse_location(rq->json, l, true);
    if (rc) {
        free(l);
        return rc;
    }
    return api_write(rq, location_body, l, 201);
}

struct loc_patch {
    struct location l;
    json_t *unused;
    bool has_name, has_address, has_geo, has_tz, has_open, has_close, has_status, geo_null;
};

static int location_patch_body(struct db_conn *c, void *arg, const struct principal *who, json_t **out)
{
    struct loc_patch *p = arg;
    struct location cur;
    int rc = location_get_by_code(c, p->l.code, &cur);
    if (!rc)
        rc = scope_check_location(c, who, cur.id);
    if (rc)
        return rc;
    if (p->has_name)
        str_copy(cur.name, sizeof cur.name, p->l.name);
    if (p->has_address)
        str_copy(cur.address, sizeof cur.address, p->l.address);
    if (p->has_geo) {
        cur.has_geo = true;
        cur.lat = p->l.lat;
        cur.lon = p->l.lon;
    }
    if (p->has_tz)
        str_copy(cur.timezone, sizeof cur.timezone, p->l.timezone);
    if (p->has_open)
        str_copy(cur.opens_at, sizeof cur.opens_at, p->l.opens_at);
    if (p->has_close)
        str_copy(cur.closes_at, sizeof cur.closes_at, p->l.closes_at);
    if (p->has_status)
        str_copy(cur.status, sizeof cur.status, p->l.status);
    rc = location_update(c, &cur);
    if (!rc)
        *out = api_render_location(&cur);
    return rc;
}

int api_locations_update(struct http_req *rq)
{
    struct loc_patch *p = xcalloc(1, sizeof *p);
    int rc = parse_location(rq->json, &p->l, false);
    if (rc) {
        free(p);
        return rc;
    }
    str_copy(p->l.code, sizeof p->l.code, rq->params[0]);
    p->has_name = p->l.name[0] != 0;
    p->has_address = json_object_get(rq->json, "address") != NULL;
    p->has_geo = p->l.has_geo;
    p->has_tz = p->l.timezone[0] != 0;
    p->has_open = p->l.opens_at[0] != 0;
    p->has_close = p->l.closes_at[0] != 0;
    p->has_status = p->l.status[0] != 0;
    return api_write(rq, location_patch_body, p, 200);
}

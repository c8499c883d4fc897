/*
** handlers.h -- every route handler of the API, for the route table in routes.c.
*/
#ifndef O2O_API_HANDLERS_H
#define O2O_API_HANDLERS_H

#include <jansson.h>

#include "http/http.h"

int api_auth_login(struct http_req *rq);
int api_member_code(struct http_req *rq);
int api_till_identify(struct http_req *rq);
int api_relations_accept(struct http_req *rq);
int api_events_create(struct http_req *rq);
int api_funnel(struct http_req *rq);
int api_paths(struct http_req *rq);
int api_snippet(struct http_req *rq);
int api_report_subscribe(struct http_req *rq);
int api_report_subscriptions(struct http_req *rq);
int api_report_unsubscribe(struct http_req *rq);
int api_reports_daily(struct http_req *rq);
int api_reports_monthly(struct http_req *rq);
int api_reports_run(struct http_req *rq);
int api_demand(struct http_req *rq);
int api_presence_create(struct http_req *rq);
int api_presence_rules_delete(struct http_req *rq);
int api_presence_rules_list(struct http_req *rq);
int api_presence_rules_put(struct http_req *rq);
int api_store_presence(struct http_req *rq);
int api_zones_list(struct http_req *rq);
int api_zones_put(struct http_req *rq);
int api_auth_logout(struct http_req *rq);
int api_auth_otp(struct http_req *rq);
int api_auth_otp_verify(struct http_req *rq);
int api_brands_create(struct http_req *rq);
int api_brands_list(struct http_req *rq);
int api_categories_create(struct http_req *rq);
int api_categories_list(struct http_req *rq);
int api_healthz(struct http_req *rq);
int api_capacity_get(struct http_req *rq);
int api_carrier_events(struct http_req *rq);
int api_capacity_put(struct http_req *rq);
int api_coupons_create(struct http_req *rq);
int api_member_coupons(struct http_req *rq);
int api_ful_deliver(struct http_req *rq);
int api_ful_handover(struct http_req *rq);
int api_ful_pick(struct http_req *rq);
int api_ful_ready(struct http_req *rq);
int api_ful_receive(struct http_req *rq);
int api_ful_reject(struct http_req *rq);
int api_ful_ship(struct http_req *rq);
int api_orders_cancel(struct http_req *rq);
int api_orders_create(struct http_req *rq);
int api_orders_events(struct http_req *rq);
int api_orders_expire(struct http_req *rq);
int api_orders_get(struct http_req *rq);
int api_orders_pay(struct http_req *rq);
int api_receipt_page(struct http_req *rq);
int api_receipt_qr_png(struct http_req *rq);
int api_receipt_qr_svg(struct http_req *rq);
int api_receipt_script(struct http_req *rq);
int api_receipts_claim(struct http_req *rq);
int api_orders_pay_gateway(struct http_req *rq);
int api_gw_alipay_notify(struct http_req *rq);
int api_gw_wechat_notify(struct http_req *rq);
int api_payments_sweep_now(struct http_req *rq);
int api_payments_sync(struct http_req *rq);
int api_settlements_get(struct http_req *rq);
int api_orders_return(struct http_req *rq);
int api_orders_returnable(struct http_req *rq);
int api_keys_create(struct http_req *rq);
int api_landing(struct http_req *rq);
int api_locations_create(struct http_req *rq);
int api_locations_get(struct http_req *rq);
int api_locations_list(struct http_req *rq);
int api_locations_update(struct http_req *rq);
int api_me(struct http_req *rq);
int api_members_create(struct http_req *rq);
int api_members_get(struct http_req *rq);
int api_members_link(struct http_req *rq);
int api_members_lookup(struct http_req *rq);
int api_members_merge(struct http_req *rq);
int api_members_update(struct http_req *rq);
int api_metrics(struct http_req *rq);
int api_openapi(struct http_req *rq);
int api_outbox_list(struct http_req *rq);
int api_points_adjust(struct http_req *rq);
int api_points_earn(struct http_req *rq);
int api_points_expire(struct http_req *rq);
int api_points_get(struct http_req *rq);
int api_points_redeem(struct http_req *rq);
int api_points_transfer(struct http_req *rq);
int api_products_create(struct http_req *rq);
int api_products_get(struct http_req *rq);
int api_products_list(struct http_req *rq);
int api_regions_create(struct http_req *rq);
int api_regions_list(struct http_req *rq);
int api_reservations_consume(struct http_req *rq);
int api_reservations_create(struct http_req *rq);
int api_reservations_expire(struct http_req *rq);
int api_reservations_get(struct http_req *rq);
int api_reservations_release(struct http_req *rq);
int api_skus_availability(struct http_req *rq);
int api_skus_create(struct http_req *rq);
int api_skus_get(struct http_req *rq);
int api_skus_lookup(struct http_req *rq);
int api_skus_update(struct http_req *rq);
int api_staff_create(struct http_req *rq);
int api_stock_get(struct http_req *rq);
int api_stock_move(struct http_req *rq);
int api_stock_movements(struct http_req *rq);
int api_stock_transfer(struct http_req *rq);
int api_settings_get(struct http_req *rq);
int api_settings_update(struct http_req *rq);
int api_tiers_list(struct http_req *rq);
int api_tiers_update(struct http_req *rq);
int api_member_tags(struct http_req *rq);
int api_member_profile(struct http_req *rq);
int api_life_rules_list(struct http_req *rq);
int api_life_rules_put(struct http_req *rq);
int api_life_rules_delete(struct http_req *rq);
int api_store_core_customers(struct http_req *rq);
int api_member_recommendations(struct http_req *rq);
int api_recommend_rebuild(struct http_req *rq);
int api_relations_add(struct http_req *rq);
int api_relations_list(struct http_req *rq);
int api_relations_remove(struct http_req *rq);
int api_attribution(struct http_req *rq);
int api_insight_rules(struct http_req *rq);

struct location;
struct member;
json_t *api_render_location(const struct location *l);
json_t *api_render_member(const struct member *m);

#endif

/*
** schemas.c -- the named shapes of what the API answers (and a few it reads),
** in the declaration language of http/schema.h: the components of /openapi.json,
** referred to by the route table (routes.c). Every answer of the end-to-end
** suite is checked against them (tests/e2e/harness.py), so a field a handler
** writes and this file does not declare fails the suite.
*/
#include "api/api.h"
#include "org/channel.h"

#include "http/schema.h"

#define ORDER_FIELDS                                                                                           \
    "id:int, channel:" SALES_CHANNELS_DECL ", fulfilment:(carry_out|pickup|delivery), "     \
    "status:(placed|paid|completed|cancelled|returned), member_id:int|null, location:str|null, "               \
    "pickup_store:str|null, subtotal:int, discount:int, total:int, paid:int, due:int, refunded:int, "          \
    "points_earned:int, coupon:str|null, pay_by:time|null, created_at:time, updated_at:time, "                 \
    "address?:{text:str, lat?:num, lon?:num}, contact_phone?:str, note?:str, seq:int, receipt?:Receipt, "       \
    "lines:[OrderLine], fulfilments:[Fulfilment], payments:[Payment], refunds:[Refund], routing:[RouteDecision], " \
    "timeline:[OrderEvent], "                                                                                    \
    /* what the write that answers it did */                                                                    \
    "return_id?:int, return?:ReturnDone, gateway_payment?:GatewayPayment, points_credited?:int"

#define MEMBER_FIELDS                                                                                          \
    "id:int, phone:str, name:str, status:(active|merged), merged_into:int|null, tier:str, points:int, "          \
    "consent:{marketing:bool, sms:bool, email:bool, service:bool}, "                                             \
    "reach:{prefer:(sms|wechat|email), fallback:str|null, quiet_hours:str|null}, home_location:str|null, "        \
    "created_at:time"

#define SKU_FIELDS                                                                                             \
    "id:int, code:str, product:str, name:str, size:str, colour:str, barcode:str|null, price:int, currency:(CNY)"

#define DESK_CONV_FIELDS                                                                                       \
    "id:int, contact_id:int, medium:str, topic:str, status:(queued|assigned|resolved), agent_id:int|null, "      \
    "opened_at:time, assigned_at:time|null, resolved_at:time|null, last_message_at:time, order_id:int|null"

#define PRODUCT_FIELDS                                                                                         \
    "id:int, code:str, name:str, brand:str|null, category:str|null, description:str, launch_at:time|null"

#define POINTS_ENTRY_FIELDS                                                                                    \
    "id:int, member_id:int, kind:str, points:int, channel:str, reason:str, ref:str, created_at:time, "          \
    "expires_at?:time|null"

static const struct http_schema_def defs[] = {
    /* organisation */
    {"Region", "{id:int, code:str, name:str, parent:str|null}"},
    {"Location", "{id:int, code:str, name:str, kind:(store|warehouse|restaurant), region:str, address:str, "
                 "lat:num|null, lon:num|null, timezone:str, opens_at:str, closes_at:str, status:str}"},
    {"Principal", "{role:str, id:int, scope:(chain|region|location|self), scope_id:int, name:str, channel:str|null}"},
    {"Tier", "{code:str, min_spend_12m:int, earn_pct:int}"},
    {"StaffAccount", "{id:int, username:str, name:str, role:str, scope_kind:(chain|region|location), scope:str|null, "
                     "active:bool, created_at:time, phone:str|null, email:str|null}"},
    {"ApiKey", "{id:int, prefix:str, name:str, channel:str, location:str|null, active:bool, created_at:time}"},

    /* catalog and stock */
    {"Brand", "{id:int, code:str, name:str}"},
    {"Category", "{id:int, code:str, name:str, parent:str|null}"},
    {"Product", "{" PRODUCT_FIELDS "}"},
    {"ProductWithSkus", "{" PRODUCT_FIELDS ", skus:[Sku]}"},
    {"Sku", "{" SKU_FIELDS "}"},
    {"StockAt", "{location:str, name:str, kind:str, on_hand:int, reserved:int, available:int, distance_m?:int}"},
    {"SkuLookup", "{" SKU_FIELDS ", store:str, stock:{on_hand:int, reserved:int, available:int}, nearby:[StockAt]}"},
    {"Stock", "{sku:str, location:str, on_hand:int, reserved:int, available:int}"},
    {"Movement", "{id:int, kind:str, qty:int, reason:str, ref:str, actor:str, created_at:time}"},
    {"Reservation", "{id:int, sku:str, location:str, qty:int, status:str, ref:str, expires_at:time|null, "
                    "created_at:time}"},

    /* members */
    {"Member", "{" MEMBER_FIELDS "}"},
    {"MemberHit", "{" MEMBER_FIELDS ", matched:(identity|phone|text)}"},
    {"MemberWithIdentities", "{" MEMBER_FIELDS ", identities:[{kind:str, value:str, linked_at:time}]}"},
    {"PointsEntry", "{" POINTS_ENTRY_FIELDS "}"},
    {"PointsDone", "{" POINTS_ENTRY_FIELDS ", balance:int, replayed?:bool}"},
    {"Coupon", "{code:str, member_id:int|null, kind:(percent|amount), value:int, min_spend:int, valid_from:time|null, "
               "valid_until:time|null, status:(issued|used|void), order_id:int|null, reason:str}"},

    /* orders */
    {"OrderLine", "{line:int, sku:str, name:str, qty:int, unit_price:int, discount:int, amount:int, returned_qty:int, "
                  "fulfilment_id:int|null}"},
    {"Fulfilment", "{id:int, kind:(pickup|delivery|transfer|carry_out), location:str, status:str, to_location:str|null, "
                   "carrier:str|null, tracking_no:str|null, pickup_until:time|null, reason:str|null, lines:[int], "
                   "pickup_code?:str}"},
    {"Payment", "{id:int, tender:str, amount:int, refunded:int, status:(pending|captured|failed|cancelled), "
                "reference:str|null, out_trade_no:str|null, created_at:time, points?:int, payer?:str, gateway?:str, "
                "expires_at?:time|null}"},
    {"Refund", "{id:int, payment_id:int, tender:str, amount:int, status:(pending|succeeded|failed), out_refund_no:str, "
               "reference:str|null, reason:str, created_at:time, points?:int}"},
    {"OrderEvent", "{seq:int, kind:str, detail:str, actor:str, at:time, fulfilment_id?:int}"},
    {"RouteDecision", "{rule:str, summary:str, at:time, candidates:[{location:str, distance_km:num|null, "
                      "lines_available:int, verdict:str}]}"},
    {"Receipt", "{token:str, url:str, claimed_by:int|null, qr_svg:str, qr_png:str}"},
    {"GatewayPayment", "{id:int, gateway:(wechat_pay|alipay), out_trade_no:str, amount:int, state:str, "
                       "expires_at:time|null, qr_code?:str, prepay?:str}"},
    {"ReturnDone", "{id:int, amount:int, refunded:int, points_reversed:int, withheld:int, "
                   "refunds:[{tender:str, amount:int, status:str, points?:int}]}"},
    {"Order", "{" ORDER_FIELDS "}"},
    {"Returnable", "{id:int, channel:str, status:str, total:int, refunded:int, created_at:time, return_until:time|null, "
                   "lines:[{line:int, sku:str, name:str, qty:int, amount:int, returned_qty:int, returnable:int}], "
                   "return_id?:int, return?:ReturnDone}"},
    {"OrderEvents", "{order_id:int, seq:int, events:[OrderEvent]}"},
    {"Tender", "{tender:(cash|bank_card|points|wechat_pay|alipay|scan), amount?:int, points?:int, reference?:str}"},
    {"Settlement", "{location:str|null, date:date, tenders:[{tender:str, payments:int, paid:int, refunds:int, "
                   "refunded:int, pending_refunds:int, net:int}], notifications:{verified:int, rejected:int}, "
                   "mismatches:[{kind:str, out_trade_no:str, detail:str}], more_mismatches:bool}"},
    {"Capacity", "{daily_capacity:int, chain_default:bool, used_today:int}"},

    /* insight */
    {"Profile", "{member_id:int, orders:int, spend:int, first_purchase_at:time|null, last_purchase_at:time|null, "
                "favourite_store:str|null, channels:{*:int}, rfm:{recency:int, frequency:int, monetary:int, "
                "segment:str}, lifetime_value:int, annual_value:int}"},
    {"LifeRule", "{name:str, tag:str, categories:[str], min_purchases:int, window_days:int, history_evaluated:bool, "
                 "updated_at:time|null}"},
    {"Recommendations", "{member_id:int, context:(login|checkout|store), store:str|null, model_built_at:time|null, "
                        "items:[{product:str, name:str, price:int, score:num, reason:{code:str, text:str, "
                        "because:str|null, label:str|null}}]}"},
    {"Relation", "{member_id:int, kind:str, status:str, since:time|null}"},
    {"Rules", "{baskets:int, items:int, min_count:int, itemsets:int, rules_found:int, rules:[{lhs:[str], rhs:str, "
              "support:num, confidence:num, coverage:num, lift:num, count:int}]}"},
    {"Attribution", "{from:time, to:time, members_shown:int, items_shown:int, bought:int, coupons_issued:int, "
                    "coupons_redeemed:int}"},
    {"CoreCustomers", "{store:str, days:int, customers:[{member_id:int, name:str, orders:int, spend:int, "
                      "last_purchase_at:time|null}]}"},

    /* behaviour and presence */
    {"FunnelStep", "{name:str, users:int, conversion:num, overall:num}"},
    {"Funnel", "{from:time, to:time, window_s:int, events:int, users:int, steps:[FunnelStep], "
               "by?:(channel|store|day), groups?:[{key:str, steps:[FunnelStep]}], groups_left_off?:int}"},
    {"PathCount", "{name:str, count:int, share:num}"},
    {"Paths", "{event:str, from:time, to:time, gap_s:int, occurrences:int, next:[PathCount], previous:[PathCount]}"},
    {"Event", "{name:str, id?:str|int, channel?:str, device_id?:str, member_id?:int, store?:str, item?:str, "
              "category?:str, element?:str, label?:str, query?:str, page?:str, value?:int, props?:{*:str|num|bool}, "
              "ts?:time|int}"},
    {"FunnelStepIn", "str|{name:str, where?:{*:str|int}}"},
    {"Sighting", "{device_id?:str, member_id?:int, store:str, zone:str, rssi:int, source?:str, ts?:time|int}"},
    {"Zone", "{code:str, name:str, brand:str|null, category:str|null}"},
    {"PresenceReport", "{store:str, from:time, to:time, sightings:int, store_visits:{visits:int, visitors:int, "
                       "avg_dwell_min:num}, zones:[{zone:str, name:str, brand:str|null, category:str|null, visits:int, "
                       "visitors:int, avg_dwell_min:num}], brands:[{brand:str, visits:int, avg_dwell_min:num}], "
                       "routes:[{route:str, count:int}], hourly:[{zone:str, visits_by_hour:[int]}], "
                       "online_to_offline:{online_members:int, then_visited:int, then_bought:int, window_s:int, "
                       "identified_visitors:int, visitors_who_bought_same_day:int}}"},
    {"PresenceRule", "{name:str, tag:str, store:str, zone:str, from_hour:int, to_hour:int, message:str, per_day:int, "
                     "sent:int, held:int}"},

    /* reports */
    {"ReportSku", "{sku:str, name:str, qty:int, amount:int}"},
    {"DailyReport", "{kind:(daily), scope:(store|region|chain), code:str, name:str, date:date, timezone:str, from:time, "
                    "to:time, built_at:time, sales:int, orders:int, average_basket:int, returns:{count:int, amount:int}, "
                    "new_members:int, points:{issued:int, redeemed:int}, pickups_waiting:int, "
                    "by_channel:[{channel:str, orders:int, sales:int}], by_tender:[{tender:str, payments:int, amount:int}], "
                    "best_sellers:[ReportSku], core_customers:[{member_id:int, name:str, phone:str, orders:int, "
                    "spend:int}], stores?:[{store:str, name:str, orders:int, sales:int, returns:int}], stored:bool}"},
    {"MonthlyReport", "{kind:(monthly), scope:(store|region|chain), code:str, name:str, timezone:str, "
                      "months:[{month:str, sales:int, orders:int, customers:int, best_sellers:[ReportSku]}]}"},
    {"DemandReport", "{kind:(demand), timezone:str, months:[str], next_month:str, backtest:{months_forecast:int, "
                     "mape_exponential_smoothing:num|null, mape_seasonal_naive:num|null}, series:[{category:str, "
                     "size:str, price_band:str, units:[int], revenue:[int], total_units:int, total_revenue:int, "
                     "trend_per_month:num, forecast:{exponential_smoothing:num, alpha:num, seasonal_naive:num}, "
                     "mape:{exponential_smoothing:num|null, seasonal_naive:num|null}, backtest_months:int}]}"},
    {"ReportSubscription", "{id:int, channel:(email|webhook), target:str}"},

    /* the service desk */
    {"DeskConversation", "{" DESK_CONV_FIELDS "}"},
    {"Review", "{id:int, member_id:int, order_id:int, line:int, sku:str, product:str, product_name:str, "
               "store:str|null, rating:int, first_rating:int, body:str, photos:[str], status:(published|held|rejected), "
               "alert:str|null, conversation_id:int|null, reply:str|null, replied_at:time|null, created_at:time, "
               "updated_at:time, recovery:{contacted:bool, resolved:bool, bought_again:bool, revised:bool}}"},
    {"DeskConversationFull", "{" DESK_CONV_FIELDS ", contact:{id:int, member_id:int|null, name:str, "
                             "identities:[{kind:str, value:str}]}, messages:[{id:int, direction:(in|out), medium:str, "
                             "author:str, body:str, at:time}]}"},
};

const struct http_schema_def *api_schemas(size_t *n)
{
    *n = sizeof defs / sizeof defs[0];
    return defs;
}

"""GET /v1/members?q=: staff find a member by any part of her name or phone number
(an FTS5 trigram table on SQLite, a pg_trgm index on PostgreSQL, one query), or by
an identity's value; a Chinese surname of one character finds her too; renamed and
merged members are found as they are now; members and keys cannot search."""
from harness import ServerTest, make_chain, member_token, unique


class MemberSearchTest(ServerTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.owner = cls.server.owner()
        make_chain(cls.owner)
        tail = unique("")[-4:].rjust(4, "0")
        cls.m = {}
        for key, name, phone in (("fang", "王芳", "138" + tail + "1111"), ("ming", "王小明", "139" + tail + "2222"),
                                 ("lina", "Li Na", "137" + tail + "3333"), ("wei", "Zhang Wei", "136" + tail + "4444")):
            r = cls.owner.post("/v1/members", {"phone": phone, "name": name})
            assert r.status == 201, r
            cls.m[key] = r.json
        r = cls.owner.post("/v1/members/%d/identities" % cls.m["wei"]["id"],
                           {"kind": "store_card", "value": "CARD-" + tail + "-abc"})
        assert r.status == 201, r
        cls.tail = tail

    def search(self, q, client=None, status=200):
        r = (client or self.owner).get("/v1/members?q=" + __import__("urllib.parse").parse.quote(q))
        self.assertEqual(r.status, status, r)
        return r.json

    def ids(self, q):
        return [(x["id"], x["matched"]) for x in self.search(q)["items"]]

    def test_by_part_of_the_name(self):
        self.assertEqual(self.ids("王小明"), [(self.m["ming"]["id"], "text")])
        self.assertEqual({i for i, _ in self.ids("王")}, {self.m["fang"]["id"], self.m["ming"]["id"]})  # one character
        self.assertEqual(self.ids("li na"), [(self.m["lina"]["id"], "text")])                          # any case
        self.assertEqual(self.ids("wei"), [(self.m["wei"]["id"], "text")])

    def test_by_phone_whole_or_in_part(self):
        phone = self.m["fang"]["phone"]
        got = self.ids(phone[3:])                      # as she says it: 138...
        self.assertEqual(got[0], (self.m["fang"]["id"], "phone"))
        self.assertEqual(len(got), 1)
        both = {i for i, _ in self.ids(self.tail)}     # the digits the four share
        self.assertTrue({x["id"] for x in self.m.values()} <= both)
        self.assertEqual([i for i, _ in self.ids(self.tail + "3333")], [self.m["lina"]["id"]])

    def test_by_identity(self):
        self.assertEqual(self.ids("CARD-" + self.tail + "-abc"), [(self.m["wei"]["id"], "identity")])

    def test_renamed_and_merged_members_are_found_as_they_are(self):
        a = self.owner.post("/v1/members", {"phone": "135" + self.tail + "5555", "name": "Old Name"}).json
        b = self.owner.post("/v1/members", {"phone": "135" + self.tail + "6666", "name": "Twin Record"}).json
        self.assertEqual(self.owner.patch("/v1/members/%d" % a["id"], {"name": "New Name"}).status, 200)
        self.assertEqual(self.ids("old name"), [])
        self.assertEqual(self.ids("new name"), [(a["id"], "text")])
        self.assertEqual(self.owner.post("/v1/members/%d/merge" % a["id"], {"merge_id": b["id"]}).status, 200)
        self.assertEqual(self.ids("twin record"), [])

    def test_who_may_search_and_bad_queries(self):
        self.search("", status=400)
        self.search("%", status=200)
        self.assertEqual(self.search("%_")["items"], [])
        me = self.server.client(member_token(self.server, self.owner, self.m["lina"]["phone"]))
        self.search("wang", client=me, status=403)
        web = self.server.client(self.owner.post("/v1/api-keys", {"channel": "web"}).json["key"])
        self.search("wang", client=web, status=403)

/* The application's graph (lib/runtime.h) and its report: hand-built
 * Python and V8 graphs where the runtime's references join everything
 * into one component, and the application's cycles, the runtime's and
 * the garbage are known by construction. */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "lib/report.h"
#include "lib/runtime.h"

/* The report's component holding node v, or NULL. */
static const struct ct_report_scc *scc_of(const struct ct_report *r, uint32_t v)
{
	for (uint32_t i = 0; i < r->n_sccs; i++)
		if (r->sccs[i].comp == r->scc.comp[v])
			return &r->sccs[i];
	return NULL;
}

static bool same_scc(const struct ct_report *r, const uint32_t *vs, uint32_t n)
{
	const struct ct_report_scc *e = scc_of(r, vs[0]);
	if (!e || e->size != n)
		return false;
	for (uint32_t i = 1; i < n; i++)
		if (r->scc.comp[vs[i]] != e->comp)
			return false;
	return true;
}

enum {
	M, MD, C, CD, MRO, OBJ, F, CODE, H1, L1, ME1, H2, L2, ME2, REG,
	E, ED, EM, EMD, D1, LST, FN, CT, CELL, GC1, GT,
	RF, RT, RC, PC, PD, PF, PT, PCELL, N_PY
};

static void test_python(void)
{
	static const char *const types[N_PY] = {
		"module", "dict", "type", "dict", "tuple", "type", "function", "code",
		"Handler", "list", "method", "Handler", "list", "method", "list",
		"EnumType", "dict", "Color", "dict", "dict", "list", "function", "tuple", "cell",
		"type", "tuple",
		"function", "tuple", "cell", "_ProtocolMeta", "dict", "function", "tuple", "cell",
	};
	uint8_t flags[N_PY] = {0};
	static const struct tg_edge edges[] = {
		{M, MD, CT_EDGE_STRONG, ".__dict__"},
		{MD, REG, CT_EDGE_STRONG, "['REGISTRY']"},
		{MD, C, CT_EDGE_STRONG, "['Handler']"},
		{MD, E, CT_EDGE_STRONG, "['Color']"},
		{MD, D1, CT_EDGE_STRONG, "['d']"},
		{MD, LST, CT_EDGE_STRONG, "['callbacks']"},
		{REG, H1, CT_EDGE_STRONG, "[0]"},
		{REG, H2, CT_EDGE_STRONG, "[1]"},
		/* Handler .callbacks -> list [0] -> method .__self__ -> Handler */
		{H1, C, CT_EDGE_STRONG, ".__class__"},
		{H1, L1, CT_EDGE_STRONG, ".callbacks"},
		{L1, ME1, CT_EDGE_STRONG, "[0]"},
		{ME1, H1, CT_EDGE_STRONG, ".__self__"},
		{ME1, F, CT_EDGE_STRONG, ".__func__"},
		{H2, C, CT_EDGE_STRONG, ".__class__"},
		{H2, L2, CT_EDGE_STRONG, ".callbacks"},
		{L2, ME2, CT_EDGE_STRONG, "[0]"},
		{ME2, H2, CT_EDGE_STRONG, ".__self__"},
		{ME2, F, CT_EDGE_STRONG, ".__func__"},
		/* The class, its dict, its MRO; the function's globals. */
		{C, CD, CT_EDGE_STRONG, ".__dict__"},
		{C, MRO, CT_EDGE_STRONG, ".__mro__"},
		{C, OBJ, CT_EDGE_STRONG, ".__base__"},
		{MRO, C, CT_EDGE_STRONG, "[0]"},
		{MRO, OBJ, CT_EDGE_STRONG, "[1]"},
		{CD, F, CT_EDGE_STRONG, "['on_event']"},
		{F, MD, CT_EDGE_STRONG, ".__globals__"},
		{F, CODE, CT_EDGE_STRONG, ".__code__"},
		/* An enum: class -> dict -> member -> dict ['__objclass__'] -> class. */
		{E, ED, CT_EDGE_STRONG, ".__dict__"},
		{E, MRO, CT_EDGE_STRONG, ".__mro__"},
		{ED, EM, CT_EDGE_STRONG, "['RED']"},
		{EM, E, CT_EDGE_STRONG, ".__class__"},
		{EM, EMD, CT_EDGE_STRONG, ".__dict__"},
		{EMD, E, CT_EDGE_STRONG, "['__objclass__']"},
		/* The program's dict that holds itself. */
		{D1, D1, CT_EDGE_STRONG, "['self']"},
		/* The program's list of closures that capture it. */
		{LST, FN, CT_EDGE_STRONG, "[0]"},
		{FN, CT, CT_EDGE_STRONG, ".__closure__"},
		{FN, MD, CT_EDGE_STRONG, ".__globals__"},
		{CT, CELL, CT_EDGE_STRONG, "[0]"},
		{CELL, LST, CT_EDGE_STRONG, ".cell_contents"},
		/* A closure made by a call that holds itself: the program's. */
		{MD, RF, CT_EDGE_STRONG, "['retry']"},
		{RF, RT, CT_EDGE_STRONG, ".__closure__"},
		{RT, RC, CT_EDGE_STRONG, "[0]"},
		{RC, RF, CT_EDGE_STRONG, ".cell_contents"},
		/* A class's hook made by a call, holding the class: the runtime's. */
		{MD, PC, CT_EDGE_STRONG, "['Proto']"},
		{PC, MRO, CT_EDGE_STRONG, ".__mro__"},
		{PC, PD, CT_EDGE_STRONG, ".__dict__"},
		{PD, PF, CT_EDGE_STRONG, "['__subclasshook__']"},
		{PF, PT, CT_EDGE_STRONG, ".__closure__"},
		{PT, PCELL, CT_EDGE_STRONG, "[0]"},
		{PCELL, PC, CT_EDGE_STRONG, ".cell_contents"},
		/* A garbage class: its MRO cycle stays whole. */
		{GC1, GT, CT_EDGE_STRONG, ".__mro__"},
		{GT, GC1, CT_EDGE_STRONG, "[0]"},
	};
	flags[M] = CT_NODE_ROOT;
	flags[OBJ] = CT_NODE_ROOT;
	const char *names[N_PY] = {[RF] = "make_retry.<locals>.retry",
				   [PF] = "Proto.__init_subclass__.<locals>.hook"};
	struct tg_spec sp = {.n = N_PY, .types = types, .flags = flags, .values = names,
			     .edges = edges, .n_edges = sizeof(edges) / sizeof(edges[0])};
	struct ct_graph g;
	struct ct_report r, full;
	struct ct_error err = {0};

	tg_build(&g, &sp);
	g.format = "python";
	must(ct_report_build(&r, &g, NULL, &err), &err, "report");
	struct ct_report_opts fo = {.full_graph = true};
	must(ct_report_build(&full, &g, &fo, &err), &err, "full report");

	/* The whole graph: the handlers, classes, module dict in one. */
	const struct ct_report_scc *big = scc_of(&full, H1);
	CHECK(big && full.scc.comp[H2] == big->comp && full.scc.comp[MD] == big->comp &&
	      full.scc.comp[C] == big->comp && full.summary.full_graph &&
	      full.summary.runtime_references == 0, "python full graph: one giant component");

	CHECK(!r.summary.full_graph && r.summary.runtime_references == 11,
	      "python: %llu runtime references left out, want 11 (.__class__ x3, "
	      ".__dict__ of the module, .__mro__ x3, .__base__, .__globals__ x2, .__code__)",
	      (unsigned long long)r.summary.runtime_references);
	const uint32_t h1[] = {H1, L1, ME1}, h2[] = {H2, L2, ME2};
	CHECK(same_scc(&r, h1, 3) && same_scc(&r, h2, 3), "python: each Handler cycle alone");
	const struct ct_report_scc *a = scc_of(&r, H1), *b = scc_of(&r, H2);
	CHECK(a && b && !a->garbage && !a->runtime && a->group == b->group &&
	      r.groups[a->group].count == 2, "python: the Handler cycles, alive, one group");
	const uint32_t en[] = {E, ED, EM, EMD};
	const struct ct_report_scc *ee = scc_of(&r, E);
	CHECK(same_scc(&r, en, 4) && ee->runtime && !ee->garbage,
	      "python: the enum and its member are the runtime's");
	const struct ct_report_scc *d = scc_of(&r, D1);
	CHECK(d && d->size == 1 && !d->runtime, "python: a dict holding itself is the program's");
	const uint32_t cl[] = {LST, FN, CT, CELL};
	const struct ct_report_scc *lst = scc_of(&r, LST);
	CHECK(same_scc(&r, cl, 4) && !lst->runtime,
	      "python: a list captured by its closures is the program's");
	const uint32_t rc[] = {RF, RT, RC}, pc[] = {PC, PD, PF, PT, PCELL};
	const struct ct_report_scc *er = scc_of(&r, RF), *ep = scc_of(&r, PC);
	CHECK(same_scc(&r, rc, 3) && !er->runtime,
	      "python: a closure made by a call, holding itself, is the program's");
	CHECK(same_scc(&r, pc, 5) && ep->runtime,
	      "python: a class's hook made by a call is the runtime's");
	const uint32_t gar[] = {GC1, GT};
	const struct ct_report_scc *gc = scc_of(&r, GC1);
	CHECK(same_scc(&r, gar, 2) && gc->garbage && !gc->runtime,
	      "python: a garbage class keeps its MRO cycle");
	CHECK(!scc_of(&r, MRO) && !scc_of(&r, MD), "python: no MRO or globals cycle is left");
	/* Report order: garbage, the program's, the runtime's. */
	int last = -1;
	bool ordered = true;
	for (uint32_t i = 0; i < r.n_groups; i++) {
		int rank = r.groups[i].n_garbage ? 0 : r.groups[i].runtime ? 2 : 1;
		ordered &= rank >= last;
		last = rank;
	}
	CHECK(ordered && r.n_groups == 7 && r.groups[0].n_garbage, "python: group order");
	CHECK(r.summary.runtime_sccs == 2 && r.summary.runtime_objects == 9,
	      "python: runtime summary %llu / %llu", (unsigned long long)r.summary.runtime_sccs,
	      (unsigned long long)r.summary.runtime_objects);
	ct_report_finish(&r);
	ct_report_finish(&full);
	ct_graph_finish(&g);
}

enum {
	ROOT, GLOB, ARR, H, CLO, CTX, SFI, SCRIPT, MAP, PROTO, CTOR,
	NCLO, NCTX, NSFI, NSCRIPT, NOBJ, NAT, JOBJ,
	T1, TC1, T2, TC2, MODF, MODC, NATIVE_CTX, MOD, EXP, SYN, SJ, N_V8
};

static void test_v8(void)
{
	static const char *const types[N_V8] = {
		"(synthetic)", "global", "Array", "Handler", "(closure)", "system / Context",
		"(compiled code)", "(compiled code)", "(system)", "Object", "(closure)",
		"(closure)", "system / Context", "(compiled code)", "(compiled code)", "Object",
		"Node / BindingData", "Object",
		"(closure)", "system / Context", "(closure)", "system / Context",
		"(closure)", "system / Context", "(system)", "Module", "Object",
		"(synthetic)", "TCP",
	};
	uint8_t flags[N_V8] = {0};
	static const struct tg_edge edges[] = {
		{ROOT, GLOB, CT_EDGE_SHORTCUT, ".1"},
		{GLOB, ARR, CT_EDGE_STRONG, ".handlers"},
		{GLOB, NOBJ, CT_EDGE_STRONG, ".process"},
		{GLOB, NAT, CT_EDGE_STRONG, ".binding"},
		{ARR, H, CT_EDGE_STRONG, "[0]"},
		/* Handler .callback -> (closure) .context -> Context .handler -> Handler */
		{H, CLO, CT_EDGE_STRONG, ".callback"},
		{H, MAP, CT_EDGE_INTERNAL, ".map"},
		{H, PROTO, CT_EDGE_STRONG, ".__proto__"},
		{CLO, CTX, CT_EDGE_INTERNAL, ".context"},
		{CLO, SFI, CT_EDGE_INTERNAL, ".shared"},
		{CTX, H, CT_EDGE_STRONG, ".handler"},
		{SFI, SCRIPT, CT_EDGE_INTERNAL, ".script_or_debug_info"},
		{MAP, PROTO, CT_EDGE_INTERNAL, ".prototype"},
		{PROTO, CTOR, CT_EDGE_STRONG, ".constructor"},
		{CTOR, PROTO, CT_EDGE_STRONG, ".prototype"},
		{CTOR, GLOB, CT_EDGE_STRONG, ".g"},   /* through its context, say */
		/* node's own JavaScript: process -> closure -> context -> process */
		{NOBJ, NCLO, CT_EDGE_STRONG, ".emit"},
		{NCLO, NCTX, CT_EDGE_INTERNAL, ".context"},
		{NCLO, NSFI, CT_EDGE_INTERNAL, ".shared"},
		{NSFI, NSCRIPT, CT_EDGE_INTERNAL, ".script_or_debug_info"},
		{NCTX, NOBJ, CT_EDGE_STRONG, ".process"},
		/* A native binding object and its JavaScript twin. */
		{NAT, JOBJ, CT_EDGE_STRONG, ".native_to_javascript"},
		{JOBJ, NAT, CT_EDGE_STRONG, ".javascript_to_native"},
		/* Two timers' closures, each holding itself through its context:
		 * made twice, the program's data. */
		{ARR, T1, CT_EDGE_STRONG, "[1]"},
		{ARR, T2, CT_EDGE_STRONG, "[2]"},
		{T1, TC1, CT_EDGE_INTERNAL, ".context"},
		{T1, SFI, CT_EDGE_INTERNAL, ".shared"},
		{TC1, T1, CT_EDGE_STRONG, ".tick"},
		{TC1, MODC, CT_EDGE_INTERNAL, ".previous"},
		{T2, TC2, CT_EDGE_INTERNAL, ".context"},
		{T2, SFI, CT_EDGE_INTERNAL, ".shared"},
		{TC2, T2, CT_EDGE_STRONG, ".tick"},
		{TC2, MODC, CT_EDGE_INTERNAL, ".previous"},
		/* The module's scope: made once, the program's code. */
		{GLOB, MODF, CT_EDGE_STRONG, ".main"},
		{MODF, MODC, CT_EDGE_INTERNAL, ".context"},
		{MODF, SFI, CT_EDGE_INTERNAL, ".shared"},
		{MODC, MODF, CT_EDGE_STRONG, ".main"},
		{MODC, NATIVE_CTX, CT_EDGE_INTERNAL, ".previous"},
		{NATIVE_CTX, GLOB, CT_EDGE_INTERNAL, ".global_proxy"},
		/* node's module record and its exports: the runtime's link. */
		{GLOB, MOD, CT_EDGE_STRONG, ".mod"},
		{MOD, EXP, CT_EDGE_STRONG, ".exports"},
		{EXP, MOD, CT_EDGE_STRONG, ".module"},
		/* node's embedder object ("Node / TCP") and its JavaScript twin. */
		{GLOB, SJ, CT_EDGE_STRONG, ".socket"},
		{SJ, SYN, CT_EDGE_STRONG, ".javascript_to_native"},
		{SYN, SJ, CT_EDGE_STRONG, ".native_to_javascript"},
	};
	flags[ROOT] = CT_NODE_ROOT;
	flags[NAT] = CT_NODE_NATIVE;
	const char *names[N_V8] = {[SCRIPT] = "/srv/app.js", [NSCRIPT] = "node:events"};
	struct tg_spec sp = {.n = N_V8, .types = types, .flags = flags, .values = names,
			     .edges = edges, .n_edges = sizeof(edges) / sizeof(edges[0])};
	struct ct_graph g;
	struct ct_report r, full;
	struct ct_error err = {0};

	tg_build(&g, &sp);
	g.format = "v8";
	g.roots_given = true;
	g.numeric_ids = true;
	must(ct_report_build(&r, &g, NULL, &err), &err, "report");
	struct ct_report_opts fo = {.full_graph = true};
	must(ct_report_build(&full, &g, &fo, &err), &err, "full report");

	const struct ct_report_scc *big = scc_of(&full, H);
	CHECK(big && full.scc.comp[GLOB] == big->comp && full.scc.comp[ARR] == big->comp,
	      "v8 full graph: the Handler is in the global object's component");
	const uint32_t hc[] = {H, CLO, CTX};
	const struct ct_report_scc *h = scc_of(&r, H);
	CHECK(same_scc(&r, hc, 3) && !h->runtime && !h->garbage,
	      "v8: Handler -> closure -> context is its own, the program's");
	const uint32_t nc[] = {NOBJ, NCLO, NCTX};
	const struct ct_report_scc *n = scc_of(&r, NOBJ);
	CHECK(same_scc(&r, nc, 3) && n->runtime, "v8: node's own closure cycle is the runtime's");
	const uint32_t bd[] = {NAT, JOBJ};
	const struct ct_report_scc *nat = scc_of(&r, NAT);
	CHECK(same_scc(&r, bd, 2) && nat->runtime, "v8: a native binding pair is the runtime's");
	CHECK(!scc_of(&r, PROTO) && !scc_of(&r, GLOB),
	      "v8: no prototype/constructor cycle is left");
	const uint32_t t1[] = {T1, TC1}, t2[] = {T2, TC2}, mc[] = {MODF, MODC};
	const struct ct_report_scc *e1 = scc_of(&r, T1), *e2 = scc_of(&r, T2), *em = scc_of(&r, MODF);
	CHECK(same_scc(&r, t1, 2) && same_scc(&r, t2, 2) && !e1->runtime && !e2->runtime &&
	      e1->group == e2->group, "v8: closures made twice are the program's data");
	CHECK(same_scc(&r, mc, 2) && em->runtime,
	      "v8: a module's scope, made once, is the runtime's (the program's code)");
	CHECK(!scc_of(&r, MOD), "v8: a module record's references are the runtime's");
	const struct ct_report_scc *es = scc_of(&r, SYN);
	CHECK(es && es->size == 2 && es->runtime, "v8: an embedder object's pair is the runtime's");
	CHECK(r.summary.runtime_sccs == 4, "v8: %llu runtime components, want 4",
	      (unsigned long long)r.summary.runtime_sccs);
	ct_report_finish(&r);
	ct_report_finish(&full);
	ct_graph_finish(&g);
}

/* Formats without a rule: the application's graph is the whole graph. */
static void test_other(void)
{
	static const struct tg_edge edges[] = {
		{0, 1, CT_EDGE_STRONG, ".__class__"},
		{1, 0, CT_EDGE_STRONG, ".__mro__"},
	};
	struct tg_spec sp = {.n = 2, .edges = edges, .n_edges = 2};
	struct ct_graph g;
	struct ct_runtime rt;
	struct ct_reach reach;
	struct ct_report r;
	struct ct_error err = {0};

	tg_build(&g, &sp);
	must(ct_reach_compute(&g, &reach, &err), &err, "reach");
	must(ct_runtime_compute(&rt, &g, &reach, &err), &err, "runtime");
	CHECK(!rt.skip && !rt.kind && !ct_runtime_skips(rt.skip, 0), "test format: no rule");
	must(ct_report_build(&r, &g, NULL, &err), &err, "report");
	CHECK(r.n_sccs == 1 && r.summary.full_graph, "test format: the whole graph");
	ct_report_finish(&r);
	ct_runtime_finish(&rt);
	ct_reach_finish(&reach);
	ct_graph_finish(&g);
}

/* Keys written with an address group together; other keys do not. */
static void test_signature_keys(void)
{
	static const struct tg_edge edges[] = {
		{0, 1, CT_EDGE_STRONG, "[<tuple 0x7f81d816fe00>]"},
		{1, 0, CT_EDGE_STRONG, ".env"},
		{2, 3, CT_EDGE_STRONG, "[<tuple 0x7f81d80bf400>]"},
		{3, 2, CT_EDGE_STRONG, ".env"},
		{4, 5, CT_EDGE_STRONG, "[<tuple 0x7f81d80bf400> x]"},
		{5, 4, CT_EDGE_STRONG, ".env"},
	};
	static const char *const types[6] = {"dict", "Template", "dict", "Template", "dict",
					     "Template"};
	struct tg_spec sp = {.n = 6, .types = types, .edges = edges, .n_edges = 6};
	struct ct_graph g;
	struct ct_report r;
	struct ct_error err = {0};

	tg_build(&g, &sp);
	must(ct_report_build(&r, &g, NULL, &err), &err, "report");
	const struct ct_report_scc *a = scc_of(&r, 0), *b = scc_of(&r, 2), *c = scc_of(&r, 4);
	CHECK(a && b && c && a->group == b->group && a->group != c->group && r.n_groups == 2,
	      "address keys: two groups, not three");
	CHECK(a && strcmp(ct_report_signature(&r, &r.groups[a->group]),
			  "Template .env \xe2\x86\x92 dict [<tuple>] \xe2\x86\x92 Template") == 0,
	      "address keys: signature '%s'", a ? ct_report_signature(&r, &r.groups[a->group]) : "");
	ct_report_finish(&r);
	ct_graph_finish(&g);
}

int main(void)
{
	test_signature_keys();
	test_python();
	test_v8();
	test_other();
	return check_status("test_runtime");
}

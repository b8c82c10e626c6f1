#include "runtime.h"

#include <string.h>

#include "mem.h"

enum ct_runtime_kind {
	KIND_APP = 0,    /* the program's own object */
	KIND_RUNTIME,    /* the runtime's object, owner of the containers it holds */
	KIND_CONTAINER,  /* a plain container: the runtime's when a runtime object holds it */
	KIND_LEAF,       /* the runtime's object that owns nothing it refers to (a
			  * cell, a bound method: their referents are the program's) */
	KIND_CALL,       /* python: a function made by a call (a closure): the
			  * program's, unless a class is in its component */
};

/* v8: rt->sfi's values, per shared function info. */
enum { SFI_UNKNOWN = 0, SFI_ENGINE, SFI_PROGRAM };

static const char *const py_runtime[] = {
	"type", "module", "function", "code",
	"builtin_function_or_method", "method-wrapper", "wrapper_descriptor",
	"method_descriptor", "classmethod_descriptor", "getset_descriptor", "member_descriptor",
	"classmethod", "staticmethod", "property", "mappingproxy", "_lru_cache_wrapper",
	/* typing's constructs: annotations are the runtime's */
	"_GenericAlias", "_SpecialGenericAlias", "_UnionGenericAlias", "_CallableGenericAlias",
	"_LiteralGenericAlias", "_AnnotatedAlias", "GenericAlias", "_SpecialForm", "TypeVar",
	"ParamSpec", "TypeVarTuple", "ForwardRef", NULL,
};
static const char *const py_leaf[] = {
	"cell", "frame", "method", "ReferenceType", "weakref", "weakcallableproxy", "weakproxy",
	NULL,
};
static const char *const py_container[] = {"dict", "tuple", "list", "set", "frozenset", NULL};
static const char *const v8_runtime[] = {
	"(system)", "(compiled code)", "(object shape)", "(closure)", "system / Context", NULL,
};
static const char *const v8_container[] = {"(array)", NULL};

void ct_runtime_finish(struct ct_runtime *rt)
{
	if (!rt)
		return;
	ct_mem_free(rt->skip);
	ct_mem_free(rt->kind);
	ct_mem_free(rt->sfi);
	memset(rt, 0, sizeof(*rt));
}

static uint32_t find(const struct ct_graph *g, const char *s)
{
	return ct_strings_find(&g->strings, s);
}

static void set_kinds(struct ct_runtime *rt, const struct ct_graph *g, const char *const *names,
		      uint8_t kind)
{
	for (; *names; names++) {
		uint32_t id = find(g, *names);
		if (id < rt->n_kinds)
			rt->kind[id] = kind;
	}
}

static inline void skip_edge(struct ct_runtime *rt, uint32_t e)
{
	rt->skip[e >> 6] |= (uint64_t)1 << (e & 63);
	rt->n_skipped++;
}

/* The target of v's first edge labelled label, or CT_NONE. */
static uint32_t follow(const struct ct_graph *g, uint32_t v, uint32_t label)
{
	if (label == CT_NONE)
		return CT_NONE;
	for (uint32_t e = g->out_off[v]; e < g->out_off[v + 1]; e++)
		if (g->label[e] == label)
			return g->dst[e];
	return CT_NONE;
}

/* v8: is each closure's shared function info the program's (its script is
 * a file) or the engine's (a "node:" module, or no script: V8's builtins)?
 * One pass over the closures; the answer is kept per shared function info,
 * which many closures share. */
static void closure_scripts(struct ct_runtime *rt, const struct ct_graph *g)
{
	for (uint32_t v = 0; v < g->n_nodes && rt->closure != CT_NONE; v++) {
		if (g->type[v] != rt->closure)
			continue;
		uint32_t sfi = follow(g, v, rt->shared);
		if (sfi == CT_NONE || rt->sfi[sfi] != SFI_UNKNOWN)
			continue;
		uint32_t script = follow(g, sfi, rt->script);
		const char *name = script == CT_NONE ? "" : ct_graph_str(g, ct_graph_value(g, script));
		rt->sfi[sfi] = *name && strncmp(name, "node:", 5) != 0 ? SFI_PROGRAM : SFI_ENGINE;
	}
}

static bool is_class(const struct ct_runtime *rt, const struct ct_graph *g, uint32_t v)
{
	if (rt->mro == CT_NONE)
		return false;
	for (uint32_t e = g->out_off[v]; e < g->out_off[v + 1]; e++)
		if (g->label[e] == rt->mro)
			return true;
	return false;
}

static void python_edges(struct ct_runtime *rt, const struct ct_graph *g, const struct ct_reach *r)
{
	uint32_t cls = find(g, ".__class__"), module = find(g, "module");
	uint32_t function = find(g, "function"), builtin = find(g, "builtin_function_or_method");
	uint32_t self = find(g, ".__self__"), dict = find(g, ".__dict__");
	uint32_t fn_labels[] = {find(g, ".__globals__"), find(g, ".__builtins__"),
				find(g, ".__code__"), find(g, ".__module__")};
	uint32_t class_labels[] = {rt->mro, find(g, ".__bases__"), find(g, ".__base__")};

	for (uint32_t v = 0; v < g->n_nodes; v++) {
		if (!r->alive[v])
			continue;
		uint32_t t = g->type[v], begin = g->out_off[v], end = g->out_off[v + 1];
		bool klass = t != function && t != module && is_class(rt, g, v);
		for (uint32_t e = begin; e < end; e++) {
			uint32_t l = g->label[e], dt = g->type[g->dst[e]];
			bool runtime = l == cls && cls != CT_NONE;
			if (t == function)
				for (size_t i = 0; i < sizeof(fn_labels) / sizeof(*fn_labels); i++)
					runtime |= l == fn_labels[i] && l != CT_NONE;
			else if (t == module)
				runtime |= (l == dict && dict != CT_NONE) || l == 0;
			else if (t == builtin)
				runtime |= l == self && self != CT_NONE && dt == module;
			else if (klass) {
				for (size_t i = 0; i < sizeof(class_labels) / sizeof(*class_labels); i++)
					runtime |= l == class_labels[i] && l != CT_NONE;
				runtime |= l == 0 && dt == module;
			}
			if (runtime)
				skip_edge(rt, e);
		}
	}
}

static void v8_edges(struct ct_runtime *rt, const struct ct_graph *g, const struct ct_reach *r)
{
	uint32_t internal[] = {find(g, "(system)"), find(g, "(compiled code)"),
			       find(g, "(object shape)")};
	uint32_t props[] = {find(g, ".__proto__"), find(g, ".constructor"), find(g, ".prototype")};
	uint32_t context = find(g, "system / Context"), previous = find(g, ".previous");
	uint32_t store[] = {find(g, ".properties"), find(g, ".elements")};
	uint32_t modules[] = {find(g, "Module"), find(g, "BuiltinModule")};

	for (uint32_t v = 0; v < g->n_nodes; v++) {
		if (!r->alive[v])
			continue;
		/* node's module records: their exports, parent, children and
		 * loader state, as a Python module's dict. */
		bool module = (g->type[v] == modules[0] || g->type[v] == modules[1]) &&
			      g->type[v] != CT_NONE;
		for (uint32_t e = g->out_off[v]; e < g->out_off[v + 1]; e++) {
			uint32_t dt = g->type[g->dst[e]], l = g->label[e];
			bool runtime = module;
			for (size_t i = 0; i < 3; i++)
				runtime |= (dt == internal[i] && dt != CT_NONE) ||
					   (l == props[i] && l != CT_NONE && g->kind[e] == CT_EDGE_STRONG);
			/* A context's link to the enclosing scope: as a Python
			 * function's __globals__, never the closure's own variables. */
			runtime |= l == previous && l != CT_NONE && g->type[v] == context;
			/* An object's backing stores: their entries are its own
			 * property and element references too. */
			runtime |= (l == store[0] || l == store[1]) && l != CT_NONE &&
				   g->kind[e] == CT_EDGE_INTERNAL;
			if (runtime)
				skip_edge(rt, e);
		}
	}
}

/* java: the JDK's own classes (and their class objects). */
static bool java_jdk(const char *s)
{
	static const char *const prefix[] = {"java.", "javax.", "jdk.", "sun.", "com.sun.", NULL};

	if (strncmp(s, "class ", 6) == 0)
		s += 6;
	for (const char *const *p = prefix; *p; p++)
		if (strncmp(s, *p, strlen(*p)) == 0)
			return true;
	return false;
}

/* java: the kind of each type: class objects are the runtime's (as a
 * Python class is), so are the JDK's classes but its collections
 * (java.util.*), arrays and strings, which are containers: the runtime's
 * when a runtime member of the component holds them. */
static void java_kinds(struct ct_runtime *rt, const struct ct_graph *g)
{
	for (uint32_t v = 0; v < g->n_nodes; v++) {
		uint32_t t = g->type[v];
		if (t >= rt->n_kinds || rt->kind[t])
			continue;
		const char *s = ct_graph_str(g, t);
		size_t n = strlen(s);
		uint8_t k = KIND_APP;
		if (strncmp(s, "class ", 6) == 0)
			k = KIND_RUNTIME;
		else if ((n > 2 && strcmp(s + n - 2, "[]") == 0) || strncmp(s, "java.util.", 10) == 0 ||
			 strcmp(s, "java.lang.String") == 0)
			k = KIND_CONTAINER;
		else if (java_jdk(s))
			k = KIND_RUNTIME;
		rt->kind[t] = k ? k : 0xff;   /* 0xff: looked at, the program's */
	}
	for (uint32_t t = 0; t < rt->n_kinds; t++)
		if (rt->kind[t] == 0xff)
			rt->kind[t] = KIND_APP;
}

/* java: a class's links to its super class, loader, signers, protection
 * domain, constant pool and resolved references are the runtime's (as a
 * Python class's __mro__ and __bases__). */
static void java_edges(struct ct_runtime *rt, const struct ct_graph *g, const struct ct_reach *r)
{
	uint32_t labels[] = {find(g, ".super"), find(g, ".classLoader"), find(g, ".signers"),
			     find(g, ".protectionDomain"), find(g, ".<resolved_references>")};

	for (uint32_t v = 0; v < g->n_nodes; v++) {
		uint32_t t = g->type[v];
		if (!r->alive[v] || t >= rt->n_kinds || strncmp(ct_graph_str(g, t), "class ", 6) != 0)
			continue;
		for (uint32_t e = g->out_off[v]; e < g->out_off[v + 1]; e++) {
			uint32_t l = g->label[e];
			bool runtime = strncmp(ct_graph_str(g, l), "[cp ", 4) == 0;
			for (size_t i = 0; i < sizeof(labels) / sizeof(*labels); i++)
				runtime |= l == labels[i] && l != CT_NONE;
			if (runtime)
				skip_edge(rt, e);
		}
	}
}

int ct_runtime_compute(struct ct_runtime *rt, const struct ct_graph *g, const struct ct_reach *r,
		       struct ct_error *err)
{
	bool python = g->format && strcmp(g->format, "python") == 0;
	bool v8 = g->format && strcmp(g->format, "v8") == 0;
	bool java = g->format && strcmp(g->format, "hprof") == 0;

	memset(rt, 0, sizeof(*rt));
	rt->mro = rt->cls = rt->closure = rt->shared = rt->script = CT_NONE;
	rt->function = rt->synthetic = CT_NONE;
	if (!python && !v8 && !java)
		return 0;
	rt->n_kinds = g->strings.count;
	rt->skip = ct_mem_zalloc(ct_mem_bytes((g->n_edges + 63) / 64 + 1, sizeof(*rt->skip)));
	rt->kind = ct_mem_zalloc(ct_mem_bytes(rt->n_kinds ? rt->n_kinds : 1, 1));
	if (!rt->skip || !rt->kind) {
		ct_runtime_finish(rt);
		return ct_error_nomem(err);
	}
	if (python) {
		rt->mro = find(g, ".__mro__");
		rt->cls = find(g, ".__class__");
		rt->function = find(g, "function");
		set_kinds(rt, g, py_runtime, KIND_RUNTIME);
		set_kinds(rt, g, py_leaf, KIND_LEAF);
		set_kinds(rt, g, py_container, KIND_CONTAINER);
		python_edges(rt, g, r);
	} else if (java) {
		rt->java = true;
		java_kinds(rt, g);
		java_edges(rt, g, r);
	} else {
		rt->sfi = ct_mem_zalloc(ct_mem_bytes(g->n_nodes ? g->n_nodes : 1, 1));
		if (!rt->sfi) {
			ct_runtime_finish(rt);
			return ct_error_nomem(err);
		}
		rt->closure = find(g, "(closure)");
		rt->synthetic = find(g, "(synthetic)");
		rt->shared = find(g, ".shared");
		rt->script = find(g, ".script_or_debug_info");
		set_kinds(rt, g, v8_runtime, KIND_RUNTIME);
		set_kinds(rt, g, v8_container, KIND_CONTAINER);
		closure_scripts(rt, g);
		v8_edges(rt, g, r);
	}
	return 0;
}

/* python: a function made by a call (its qualified name has "<locals>"),
 * as a closure is: the program's data, not its code. */
static bool made_by_call(const struct ct_graph *g, uint32_t f)
{
	return strstr(ct_graph_str(g, ct_graph_value(g, f)), "<locals>") != NULL;
}

/* v's kind; *klass says whether v is a class (it has an __mro__), so that
 * each member's edges are scanned once. */
static uint8_t kind_of(const struct ct_runtime *rt, const struct ct_graph *g, const uint32_t *comp,
		       uint32_t v, bool *klass)
{
	uint32_t t = g->type[v];
	uint8_t k = t < rt->n_kinds ? rt->kind[t] : KIND_APP;

	*klass = is_class(rt, g, v);
	if (*klass)
		k = KIND_RUNTIME;
	if (k == KIND_RUNTIME && t == rt->function && t != CT_NONE && made_by_call(g, v))
		return KIND_CALL;
	/* An instance in one component with its own class: an enum's member,
	 * a class's singleton. */
	if (k == KIND_APP && rt->cls != CT_NONE) {
		uint32_t c = follow(g, v, rt->cls);
		if (c != CT_NONE && comp[c] == comp[v])
			k = KIND_RUNTIME;
	}
	return k;
}

/* v8: is closure v the program's?  rt->sfi holds the answer per shared
 * function info (closure_scripts()). */
static bool user_closure(const struct ct_runtime *rt, const struct ct_graph *g, uint32_t v)
{
	uint32_t sfi = follow(g, v, rt->shared);

	return sfi != CT_NONE && rt->sfi[sfi] == SFI_PROGRAM;
}

enum ct_runtime_verdict ct_runtime_component(const struct ct_runtime *rt,
					     const struct ct_graph *g, const uint32_t *comp,
					     const uint32_t *members, uint32_t n,
					     uint32_t *scratch, uint8_t *mark)
{
	enum { MEMBER = 0x80, OWNED = 0x40, KIND = 0x0f };
	uint32_t tail = 0, head = 0, count = 0;
	bool app = false;

	uint32_t user = 0;
	if (!rt->kind || n == 0)
		return CT_RUNTIME_APP;
	if (rt->java) {
		/* The JDK's own structure (a map and its views, a lock's queue,
		 * method handles and their classes): no class of the program's in
		 * it.  Arrays count by their element class. */
		bool jdk = true;
		for (uint32_t i = 0; i < n && jdk; i++) {
			const char *t = ct_graph_str(g, g->type[members[i]]);
			size_t len = strlen(t);
			jdk = java_jdk(t) || (len > 2 && strcmp(t + len - 2, "[]") == 0 &&
					      (java_jdk(t) || !strchr(t, '.')));
		}
		if (jdk)
			return CT_RUNTIME_RUNTIME;
	}
	if (rt->closure != CT_NONE) {
		/* v8: the engine's own JavaScript (node's modules, V8's builtins)
		 * is the runtime's whatever it holds, unless a closure of the
		 * program's is in it. */
		uint32_t builtin = 0;
		for (uint32_t i = 0; i < n && !user; i++)
			if ((g->flags[members[i]] & CT_NODE_NATIVE) ||
			    g->type[members[i]] == rt->synthetic)
				builtin++;
			else if (g->type[members[i]] == rt->closure) {
				if (user_closure(rt, g, members[i]))
					user++;
				else
					builtin++;
			}
		if (builtin && !user)
			return CT_RUNTIME_RUNTIME;
	}
	/* Each member's kind, once (mark[] is per node).  Closures made by a
	 * call are the runtime's only beside a class (a method's closure, a
	 * class's hook), else the program's data. */
	bool klass = false, call = false;
	for (uint32_t i = 0; i < n && !app; i++) {
		bool is_klass;
		uint8_t k = kind_of(rt, g, comp, members[i], &is_klass);
		klass |= is_klass;
		call |= k == KIND_CALL;
		if (k == KIND_CALL)
			k = KIND_RUNTIME;
		mark[members[i]] = MEMBER | k;
		app = k == KIND_APP;
		if (k == KIND_RUNTIME) {
			mark[members[i]] |= OWNED;
			scratch[tail++] = members[i];
		}
	}
	app |= call && !klass;
	/* Containers that the runtime's owners hold, through containers. */
	while (!app && head < tail) {
		uint32_t u = scratch[head++];
		for (uint32_t e = g->out_off[u]; e < g->out_off[u + 1]; e++) {
			uint32_t w = g->dst[e];
			if ((mark[w] & (MEMBER | OWNED | KIND)) != (MEMBER | KIND_CONTAINER) ||
			    !ct_edge_kind_is_strong(g->kind[e]) || ct_runtime_skips(rt->skip, e))
				continue;
			mark[w] |= OWNED;
			scratch[tail++] = w;
		}
	}
	for (uint32_t i = 0; i < n; i++) {
		uint8_t m = mark[members[i]];
		count += (m & OWNED) || (m & KIND) == KIND_LEAF;
		mark[members[i]] = 0;
	}
	if (app || count != n)
		return CT_RUNTIME_APP;
	return user ? CT_RUNTIME_CODE : CT_RUNTIME_RUNTIME;
}

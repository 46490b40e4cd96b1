//! The binary's modules import each other without a circle: every `crate::X` (or
//! `super::X` at a file's top level) in `src/` is an edge, and the graph must be acyclic.
//! A reference to an item of `main.rs` counts as an edge to `main`, which imports every
//! module, so that is a circle too.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Module name -> the modules it imports.
fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = BTreeMap::new();
    for entry in std::fs::read_dir(&src).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "rs") {
            let name = path.file_stem().unwrap().to_string_lossy().into_owned();
            files.insert(name, std::fs::read_to_string(&path).unwrap());
        }
    }
    let modules: BTreeSet<String> = files.keys().cloned().collect();
    let mut graph = BTreeMap::new();
    for (name, text) in &files {
        let mut edges = BTreeSet::new();
        // `mod tests` blocks are children: their `super::` is the file itself.
        let top_level = text.split("#[cfg(test)]").next().unwrap_or("");
        for line in text.lines() {
            let code = line.split("//").next().unwrap_or("");
            for part in code.split("crate::").skip(1) {
                edges.insert(target(part, &modules));
            }
        }
        for line in top_level.lines() {
            let code = line.split("//").next().unwrap_or("");
            for part in code.split("super::").skip(1) {
                edges.insert(target(part, &modules));
            }
        }
        edges.remove(name);
        graph.insert(name.clone(), edges);
    }
    graph
}

/// The module a path after `crate::` names: its first segment when it is a module, else an
/// item of the crate root (`main`).
fn target(path: &str, modules: &BTreeSet<String>) -> String {
    let first: String = path
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect();
    if modules.contains(&first) {
        first
    } else {
        String::from("main")
    }
}

#[test]
fn no_import_circle_among_the_modules() {
    let graph = graph();
    assert!(graph.len() > 10, "{graph:?}");
    // Depth-first search; a module met again while on the stack is a circle.
    fn visit(
        m: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        stack: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) {
        if done.contains(m) {
            return;
        }
        if let Some(at) = stack.iter().position(|s| s == m) {
            panic!("import circle: {} -> {m}", stack[at..].join(" -> "));
        }
        stack.push(m.to_owned());
        for next in graph.get(m).into_iter().flatten() {
            visit(next, graph, stack, done);
        }
        stack.pop();
        done.insert(m.to_owned());
    }
    let mut done = BTreeSet::new();
    for m in graph.keys() {
        visit(m, &graph, &mut Vec::new(), &mut done);
    }
}

#[test]
fn main_is_imported_by_no_module() {
    for (m, edges) in graph() {
        assert!(!edges.contains("main"), "{m} imports an item of main.rs");
    }
}

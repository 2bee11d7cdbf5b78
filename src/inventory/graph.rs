//! Dependency edges and graph queries: scopes derived from reachability, and "why is this here".

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};

use super::{Inventory, PackageId, PackageKind, Scope};

/// The kind of a dependency edge, as the depending package declares it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DepKind {
    /// A normal (runtime) dependency.
    Normal,
    /// A build-time dependency (build scripts).
    Build,
    /// A development dependency (tests, benches, examples).
    Dev,
    /// A dependency whose kind the input does not say (a lockfile alone).
    Unknown,
}

/// A dependency edge `from -> to`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Edge {
    /// The depending package.
    pub from: PackageId,
    /// The dependency.
    pub to: PackageId,
    /// How `from` declares `to`.
    pub kind: DepKind,
    /// True when the dependency is optional (enabled by a feature).
    pub optional: bool,
}

impl Edge {
    /// A normal, non-optional edge.
    pub fn normal(from: PackageId, to: PackageId) -> Self {
        Self {
            from,
            to,
            kind: DepKind::Normal,
            optional: false,
        }
    }
}

/// Which edges a reachability pass may follow.
type EdgeFilter = fn(&Edge) -> bool;

pub(super) struct Reach {
    pub scope: Vec<Option<Scope>>,
    pub direct: Vec<bool>,
}

/// Walks the graph from the roots three times (normal-only, no-dev, everything) to find the
/// strongest scope through which each package is reachable.
pub(super) fn scope_reach(inventory: &Inventory) -> Reach {
    let n = inventory.packages.len();
    let adjacency = adjacency(inventory);
    let mut scope = vec![None; n];
    let mut direct = vec![false; n];
    for root in &inventory.roots {
        for &(to, _) in &adjacency[root.0] {
            if inventory.packages[to].kind == PackageKind::ThirdParty {
                direct[to] = true;
            }
        }
    }
    // Unknown kinds count as normal: without the manifests we must not under-report.
    let passes: [(Scope, EdgeFilter); 3] = [
        (Scope::Runtime, |e| {
            matches!(e.kind, DepKind::Normal | DepKind::Unknown) && !e.optional
        }),
        (Scope::Optional, |e| {
            matches!(e.kind, DepKind::Normal | DepKind::Unknown)
        }),
        (Scope::Build, |e| e.kind != DepKind::Dev),
    ];
    for (level, allowed) in passes {
        mark(inventory, &adjacency, &mut scope, level, allowed);
    }
    mark(inventory, &adjacency, &mut scope, Scope::Dev, |_| true);
    Reach { scope, direct }
}

fn mark(
    inventory: &Inventory,
    adjacency: &[Vec<(usize, usize)>],
    scope: &mut [Option<Scope>],
    level: Scope,
    allowed: EdgeFilter,
) {
    let mut seen = vec![false; inventory.packages.len()];
    let mut queue: VecDeque<usize> = inventory.roots.iter().map(|r| r.0).collect();
    for r in &inventory.roots {
        seen[r.0] = true;
    }
    while let Some(node) = queue.pop_front() {
        for &(to, edge_index) in &adjacency[node] {
            if seen[to] || !allowed(&inventory.edges[edge_index]) {
                continue;
            }
            seen[to] = true;
            if scope[to].is_none() {
                scope[to] = Some(level);
            }
            queue.push_back(to);
        }
    }
}

/// `adjacency[from] = [(to, edge index)]`, sorted for deterministic traversal.
fn adjacency(inventory: &Inventory) -> Vec<Vec<(usize, usize)>> {
    let mut adjacency = vec![Vec::new(); inventory.packages.len()];
    for (index, edge) in inventory.edges.iter().enumerate() {
        adjacency[edge.from.0].push((edge.to.0, index));
    }
    for list in &mut adjacency {
        list.sort_unstable();
    }
    adjacency
}

/// Forward and reverse adjacency lists (sorted, without duplicates), built once per
/// inventory state for path queries.
#[derive(Debug, Clone, Default)]
pub(super) struct Adjacency {
    forward: Vec<Vec<usize>>,
    reverse: Vec<Vec<usize>>,
}

impl Adjacency {
    fn build(inventory: &Inventory) -> Self {
        let n = inventory.packages.len();
        let mut forward: Vec<Vec<usize>> = vec![Vec::new(); n];
        let mut reverse: Vec<Vec<usize>> = vec![Vec::new(); n];
        for edge in &inventory.edges {
            forward[edge.from.0].push(edge.to.0);
            reverse[edge.to.0].push(edge.from.0);
        }
        for list in forward.iter_mut().chain(reverse.iter_mut()) {
            list.sort_unstable();
            list.dedup();
        }
        Adjacency { forward, reverse }
    }
}

/// Every package reachable from `from` over dependency edges (`from` included), as a mask
/// indexed by package id.
pub(super) fn reachable_from(inventory: &Inventory, from: &[PackageId]) -> Vec<bool> {
    let adjacency = inventory
        .adjacency
        .get_or_init(|| Adjacency::build(inventory));
    let mut seen = vec![false; inventory.packages.len()];
    let mut queue: VecDeque<usize> = VecDeque::new();
    for id in from {
        if id.0 < seen.len() && !seen[id.0] {
            seen[id.0] = true;
            queue.push_back(id.0);
        }
    }
    while let Some(node) = queue.pop_front() {
        for &next in &adjacency.forward[node] {
            if !seen[next] {
                seen[next] = true;
                queue.push_back(next);
            }
        }
    }
    seen
}

/// A shortest path from a root to `target` through none of `avoid` (neither end included),
/// or `None` when every path from a root passes through one of them.
pub(super) fn path_avoiding(
    inventory: &Inventory,
    target: PackageId,
    avoid: &[PackageId],
) -> Option<Vec<PackageId>> {
    let n = inventory.packages.len();
    if target.0 >= n || avoid.contains(&target) {
        return None;
    }
    let adjacency = inventory
        .adjacency
        .get_or_init(|| Adjacency::build(inventory));
    let mut blocked = vec![false; n];
    for id in avoid.iter().filter(|id| id.0 < n) {
        blocked[id.0] = true;
    }
    let mut parent: Vec<Option<usize>> = vec![None; n];
    let mut seen = blocked.clone();
    let mut queue: VecDeque<usize> = VecDeque::new();
    for root in &inventory.roots {
        if !seen[root.0] {
            seen[root.0] = true;
            queue.push_back(root.0);
        }
    }
    while let Some(node) = queue.pop_front() {
        if node == target.0 {
            let mut path = vec![PackageId(node)];
            let mut current = node;
            while let Some(previous) = parent[current] {
                path.push(PackageId(previous));
                current = previous;
            }
            path.reverse();
            return Some(path);
        }
        for &next in &adjacency.forward[node] {
            if !seen[next] {
                seen[next] = true;
                parent[next] = Some(node);
                queue.push_back(next);
            }
        }
    }
    None
}

/// Shortest paths from any root to `target`, found by a breadth-first search backwards from the
/// target over reverse edges; then enumerated in order, up to `limit` paths.
pub(super) fn paths_to(
    inventory: &Inventory,
    target: PackageId,
    limit: usize,
) -> Vec<Vec<PackageId>> {
    let n = inventory.packages.len();
    if target.0 >= n || limit == 0 {
        return Vec::new();
    }
    if inventory.roots.contains(&target) {
        return vec![vec![target]];
    }
    let adjacency = inventory
        .adjacency
        .get_or_init(|| Adjacency::build(inventory));
    DISTANCE.with(|scratch| {
        let mut scratch = scratch.borrow_mut();
        if scratch.len() < n {
            scratch.resize(n, usize::MAX);
        }
        let mut touched = Vec::new();
        let paths = shortest_paths(
            inventory,
            adjacency,
            target,
            limit,
            &mut scratch,
            &mut touched,
        );
        // Only the entries this search wrote are reset, so the next search costs what it
        // visits, not the size of the graph.
        for node in touched {
            scratch[node] = usize::MAX;
        }
        paths
    })
}

thread_local! {
    /// Distances to the current search's target, `usize::MAX` for "not reached"; reused by
    /// every search on the thread (one finding each) instead of allocated per search.
    static DISTANCE: std::cell::RefCell<Vec<usize>> = const { std::cell::RefCell::new(Vec::new()) };
}

fn shortest_paths(
    inventory: &Inventory,
    adjacency: &Adjacency,
    target: PackageId,
    limit: usize,
    distance: &mut [usize],
    touched: &mut Vec<usize>,
) -> Vec<Vec<PackageId>> {
    // Distance from each ancestor to the target.
    distance[target.0] = 0;
    touched.push(target.0);
    let mut queue = VecDeque::from([target.0]);
    while let Some(node) = queue.pop_front() {
        for &from in &adjacency.reverse[node] {
            if distance[from] == usize::MAX {
                distance[from] = distance[node] + 1;
                touched.push(from);
                queue.push_back(from);
            }
        }
    }
    let mut roots: Vec<usize> = inventory
        .roots
        .iter()
        .map(|r| r.0)
        .filter(|r| distance[*r] != usize::MAX)
        .collect();
    roots.sort_by_key(|r| (distance[*r], *r));

    // `touched` is in breadth-first order, so the ancestors at each distance are one run of
    // it: `level_starts[d]..level_starts[d + 1]`.
    let mut level_starts = vec![0];
    for (index, &node) in touched.iter().enumerate() {
        while level_starts.len() <= distance[node] {
            level_starts.push(index);
        }
    }
    level_starts.push(touched.len());

    // Only edges that move one step closer to the target are followed, so every enumerated
    // path is a shortest path from its root (and every branch reaches the target). A node's
    // next steps are found from whichever side is smaller: its own dependencies, or the
    // ancestors one step closer (a project with a million direct dependencies would
    // otherwise cost a million checks per finding, a million findings over).
    let distance = &*distance;
    let touched = &*touched;
    let closer = |from: usize| -> Vec<usize> {
        let forward = &adjacency.forward[from];
        let level = distance[from] - 1;
        let candidates = &touched[level_starts[level]..level_starts[level + 1]];
        if forward.len() <= candidates.len() {
            return forward
                .iter()
                .copied()
                .filter(|&to| distance[to] != usize::MAX && distance[to] == level)
                .collect();
        }
        let mut next: Vec<usize> = candidates
            .iter()
            .copied()
            .filter(|&to| adjacency.reverse[to].binary_search(&from).is_ok())
            .collect();
        // The order the forward lists have (ascending ids), so either side gives the same paths.
        next.sort_unstable();
        next
    };
    let mut paths = Vec::new();
    // One path, grown and cut back as the search goes (a copy per step would cost the square
    // of the depth per finding: seconds on a chain of a few thousand crates).
    let mut path: Vec<usize> = Vec::new();
    for root in roots {
        // Depth-first, but children pushed in reverse so the smallest ids come out first;
        // each entry is a node and the length of the path before it.
        let mut stack = vec![(root, 0)];
        while let Some((node, depth)) = stack.pop() {
            if paths.len() >= limit {
                break;
            }
            path.truncate(depth);
            path.push(node);
            if node == target.0 {
                paths.push(path.iter().copied().map(PackageId).collect());
                continue;
            }
            let next_nodes = closer(node);
            for &next in next_nodes.iter().rev() {
                stack.push((next, depth + 1));
            }
        }
        if paths.len() >= limit {
            break;
        }
    }
    paths
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::{Ecosystem, Location, Package};

    fn pkg(name: &str, kind: PackageKind) -> Package {
        let mut p = Package::new(
            Ecosystem::Cargo,
            name,
            "1.0.0",
            Location {
                file: "Cargo.lock".into(),
                line: None,
            },
        );
        p.kind = kind;
        p
    }

    fn edge(from: PackageId, to: PackageId, kind: DepKind) -> Edge {
        Edge {
            from,
            to,
            kind,
            optional: false,
        }
    }

    #[test]
    fn scopes_take_the_strongest_path() {
        let mut inv = Inventory::new();
        let app = inv.add_package(pkg("app", PackageKind::Root));
        let serde = inv.add_package(pkg("serde", PackageKind::ThirdParty));
        let cc = inv.add_package(pkg("cc", PackageKind::ThirdParty));
        let proptest = inv.add_package(pkg("proptest", PackageKind::ThirdParty));
        let rand = inv.add_package(pkg("rand", PackageKind::ThirdParty));
        inv.add_root(app);
        inv.add_edge(edge(app, serde, DepKind::Normal));
        inv.add_edge(edge(app, cc, DepKind::Build));
        inv.add_edge(edge(app, proptest, DepKind::Dev));
        inv.add_edge(edge(proptest, rand, DepKind::Normal));
        inv.add_edge(edge(cc, rand, DepKind::Normal));
        inv.compute_scopes();
        assert_eq!(inv.package(serde).scope, Scope::Runtime);
        assert_eq!(inv.package(cc).scope, Scope::Build);
        assert_eq!(inv.package(proptest).scope, Scope::Dev);
        // Reachable through a build path and a dev path: build wins.
        assert_eq!(inv.package(rand).scope, Scope::Build);
        assert!(inv.package(serde).direct);
        assert!(!inv.package(rand).direct);
    }

    #[test]
    fn paths_are_shortest_first_and_limited() {
        let mut inv = Inventory::new();
        let app = inv.add_package(pkg("app", PackageKind::Root));
        let a = inv.add_package(pkg("a", PackageKind::ThirdParty));
        let b = inv.add_package(pkg("b", PackageKind::ThirdParty));
        let c = inv.add_package(pkg("c", PackageKind::ThirdParty));
        let target = inv.add_package(pkg("t", PackageKind::ThirdParty));
        inv.add_root(app);
        inv.add_edge(Edge::normal(app, a));
        inv.add_edge(Edge::normal(app, b));
        inv.add_edge(Edge::normal(a, target));
        inv.add_edge(Edge::normal(b, target));
        inv.add_edge(Edge::normal(app, c));
        inv.add_edge(Edge::normal(c, a));
        let paths = inv.paths_to(target, 10);
        assert_eq!(paths, vec![vec![app, a, target], vec![app, b, target]]);
        assert_eq!(inv.paths_to(target, 1).len(), 1);
        assert_eq!(inv.paths_to(app, 5), vec![vec![app]]);
        assert_eq!(
            inv.paths_to_display(target, 1),
            vec!["app 1.0.0 > a 1.0.0 > t 1.0.0".to_string()]
        );
        // Searches share one scratch buffer: each starts clean, whatever came before, also
        // on a larger inventory after a smaller one.
        assert_eq!(inv.paths_to(c, 10), vec![vec![app, c]]);
        assert_eq!(inv.paths_to(a, 10), vec![vec![app, a]]);
        assert_eq!(inv.paths_to(target, 10), paths);
        let mut larger = inv.clone();
        let d = larger.add_package(pkg("d", PackageKind::ThirdParty));
        larger.add_edge(Edge::normal(target, d));
        assert_eq!(larger.paths_to(d, 1), vec![vec![app, a, target, d]]);
        assert_eq!(inv.paths_to(target, 10), paths);
    }

    #[test]
    fn paths_branch_and_rejoin_in_order() {
        let mut inv = Inventory::new();
        let app = inv.add_package(pkg("app", PackageKind::Root));
        let [a, b, c, d, target] = ["a", "b", "c", "d", "t"]
            .map(|name| inv.add_package(pkg(name, PackageKind::ThirdParty)));
        inv.add_root(app);
        for (from, to) in [
            (app, a),
            (app, b),
            (a, c),
            (a, d),
            (b, d),
            (c, target),
            (d, target),
        ] {
            inv.add_edge(Edge::normal(from, to));
        }
        // The search backs up two levels (from `a > d` to `b`) and one (from `c` to `d`).
        assert_eq!(
            inv.paths_to(target, 10),
            vec![
                vec![app, a, c, target],
                vec![app, a, d, target],
                vec![app, b, d, target],
            ]
        );
    }

    #[test]
    fn a_long_path_is_found_whole_and_shown_shortened_in_the_middle() {
        let mut inv = Inventory::new();
        let app = inv.add_package(pkg("app", PackageKind::Root));
        inv.add_root(app);
        let mut chain = vec![app];
        for i in 0..200 {
            let next = inv.add_package(pkg(&format!("c{i}"), PackageKind::ThirdParty));
            inv.add_edge(Edge::normal(*chain.last().unwrap(), next));
            chain.push(next);
        }
        let target = *chain.last().unwrap();
        assert_eq!(inv.paths_to(target, 3), vec![chain.clone()]);
        let shown = inv.paths_to_display(target, 3);
        let steps: Vec<&str> = shown[0].split(" > ").collect();
        assert_eq!(steps.len(), crate::inventory::SHOWN_PATH_STEPS);
        assert_eq!(steps[0], "app 1.0.0");
        assert_eq!(steps[31], "c30 1.0.0");
        assert_eq!(steps[32], "… 138 more packages …");
        assert_eq!(steps[33], "c169 1.0.0");
        assert_eq!(steps[63], "c199 1.0.0");
        // A path of exactly the limit is shown whole.
        let at_limit = chain[crate::inventory::SHOWN_PATH_STEPS - 1];
        let shown = inv.paths_to_display(at_limit, 1);
        assert_eq!(
            shown[0].split(" > ").count(),
            crate::inventory::SHOWN_PATH_STEPS
        );
        assert!(!shown[0].contains("more packages"));
    }

    #[test]
    fn unreachable_package_has_no_path() {
        let mut inv = Inventory::new();
        let app = inv.add_package(pkg("app", PackageKind::Root));
        let lone = inv.add_package(pkg("lone", PackageKind::ThirdParty));
        inv.add_root(app);
        assert!(inv.paths_to(lone, 5).is_empty());
    }

    #[test]
    fn roots_list_every_root_a_package_is_reachable_from() {
        let mut inv = Inventory::new();
        let web = inv.add_package(pkg("web", PackageKind::Root));
        let api = inv.add_package(pkg("api", PackageKind::Root));
        let shared = inv.add_package(pkg("shared", PackageKind::ThirdParty));
        let only_api = inv.add_package(pkg("only-api", PackageKind::ThirdParty));
        let lone = inv.add_package(pkg("lone", PackageKind::ThirdParty));
        inv.add_root(web);
        inv.add_root(api);
        inv.add_edge(Edge::normal(web, shared));
        inv.add_edge(Edge::normal(api, only_api));
        inv.add_edge(Edge::normal(only_api, shared));
        // A cycle must not loop.
        inv.add_edge(Edge::normal(shared, only_api));
        inv.compute_roots();
        assert_eq!(inv.package(web).roots, vec![web]);
        assert_eq!(inv.package(shared).roots, vec![web, api]);
        assert_eq!(inv.package(only_api).roots, vec![web, api]);
        assert!(inv.package(lone).roots.is_empty());
    }
}

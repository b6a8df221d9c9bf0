"""A slow, obviously-correct Python version of one Flee day (Flee 3.1's Person.evolve and
Person.finish_travel, written over plain lists), used to check the Numba kernel draw for draw."""

from __future__ import annotations

from trocha.rng import uniform_py


def cap_multiplier(count, capacity, buffer):
    if capacity < 1:
        return 1.0
    if count <= buffer * capacity:
        return 1.0
    if count >= capacity:
        return 0.0
    return 1.0 - (count - buffer * capacity) / (capacity * (1.0 - buffer))


class World:
    def __init__(self, net, paths, static, movechance, settings, count):
        self.net, self.paths, self.static = net, paths, static
        self.movechance, self.s, self.count = movechance, settings, count
        self.open_links = {
            i: [k for k in range(net.link_offsets[i], net.link_offsets[i + 1]) if net.link_open[k]]
            for i in range(len(net.names))
        }

    def paths_from(self, here):
        p = self.paths
        for q in range(p.offsets[here], p.offsets[here + 1]):
            nodes = [int(x) for x in p.nodes[q, : p.length[q]]]
            end = int(p.end[q])
            weight = self.static[q] * cap_multiplier(
                self.count[end], self.net.capacity[end], self.s.capacity_buffer
            )
            yield nodes, weight**self.s.weight_power

    def full_camp(self, node):
        return self.net.camp[node] and (
            cap_multiplier(self.count[node], self.net.capacity[node], self.s.capacity_buffer) < 0.5
        )


def evolve(world, agent, key, day, force):
    """One decision to move; `agent` is a dict with loc, link, on_link, recent, started, route, k."""
    here = agent["loc"]
    chance = 1.0 if (force and world.net.town[here]) else world.movechance[here]
    u = uniform_py(key, day, agent["id"], agent["k"])
    agent["k"] += 1
    if u >= chance or world.s.awareness_level == 0:
        return
    if not agent["route"]:
        options = list(world.paths_from(here))
        if not options:
            return
        u2 = uniform_py(key, day, agent["id"], agent["k"])
        agent["k"] += 1
        total = sum(w for _, w in options)
        if total > 0:
            acc, chosen = 0.0, options[-1][0]
            for nodes, w in options:
                acc += w
                if u2 * total < acc:
                    chosen = nodes
                    break
        else:
            chosen = options[min(int(u2 * len(options)), len(options) - 1)][0]
        route = list(chosen)
    else:
        route = agent["route"]
    agent["route"] = []
    step = next((k for k in world.open_links[here] if world.net.link_dst[k] == route[0]), None)
    if step is None or world.full_camp(route[-1]):
        return
    agent["route"] = route[1:]
    world.count[here] -= 1
    agent["link"], agent["on_link"] = step, 0.0


def finish_travel(world, agent, key, day):
    s, net = world.s, world.net
    moved = 0.0
    while agent["link"] is not None:
        link = agent["link"]
        speed = net.link_speed[link]
        if not agent["started"] and s.start_on_foot:
            speed = s.max_walk_speed
        if net.link_walk_probability[link] > 0:
            if uniform_py(key, day, agent["id"], agent["k"]) < net.link_walk_probability[link]:
                speed = s.max_walk_speed
            agent["k"] += 1
        agent["on_link"] += speed
        moved += speed
        if agent["on_link"] <= net.link_distance[link]:
            break
        agent["started"] = True
        moved += net.link_distance[link] - agent["on_link"]
        agent["on_link"], agent["link"] = 0.0, None
        if not net.link_open[link]:
            agent["loc"] = int(net.link_src[link])
            world.count[agent["loc"]] += 1
            break
        agent["loc"] = int(net.link_dst[link])
        world.count[agent["loc"]] += 1
        if moved < speed:
            force = s.avoid_short_stints and (agent["recent"] + moved / s.max_move_speed) / 2 < 0.5
            evolve(world, agent, key, day, force)
    agent["recent"] = (agent["recent"] + moved / s.max_move_speed) / 2


def reference_day(world, agents, key, day):
    for agent in agents:
        agent["k"] = 0
        if agent["link"] is None:
            evolve(world, agent, key, day, False)
    for agent in agents:
        agent["k"] = 2
        finish_travel(world, agent, key, day)

'use strict';
// The live view: follows /api/v1/stream and shows namespaces → services → endpoints as they change; with
// ?view=clusterset (a gateway with a cluster set), /api/v1/clusterset/stream: the services the clusters of the set
// export, every endpoint with its cluster, and the clusters' state above.
//
// The stream is read with fetch() rather than EventSource, so that with consumer authentication the token goes in
// the Authorization header: EventSource cannot set headers, and a token in the URL would end up in access logs,
// browser history and Referer headers. The token is kept in this tab's sessionStorage only. The protocol is the
// gateway's: an opening (RESET and a snapshot, or a resume) applied as a whole at SYNCED, then live events; a
// reconnect sends Last-Event-ID with the id of the last complete resume point.
(() => {
  const TOKEN_KEY = 'discovery-gateway-token';
  const STALL_MS = 15000;
  const TIMELINE_MAX = 50;
  const $ = (id) => document.getElementById(id);

  const params = new URLSearchParams(location.search);
  const clusterSet = params.get('view') === 'clusterset';
  const api = clusterSet ? '/api/v1/clusterset' : '/api/v1';
  const filter = {
    namespace: params.getAll('namespace').filter(Boolean),
    service: params.getAll('service').filter(Boolean),
    labelSelector: params.get('labelSelector') || '',
  };
  const form = $('filter');
  form.namespace.value = filter.namespace.join(',');
  form.service.value = filter.service.join(',');
  form.labelSelector.value = filter.labelSelector;

  const state = {
    view: new Map(),      // namespace/name → service, as last complete
    staging: null,        // the view being built by a connection's opening
    lastId: null,
    revision: null,
    synced: false,
    token: sessionStorage.getItem(TOKEN_KEY),
    controller: null,
    retryMs: 1000,
  };
  const elements = new Map(); // namespace/name → <details>
  const changedAt = new Map();

  // ---- filter, kept in the URL so that a view can be shared as a link ---------------------------------------
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const next = new URLSearchParams();
    if (clusterSet) next.set('view', 'clusterset');
    split(form.namespace.value).forEach((n) => next.append('namespace', n));
    split(form.service.value).forEach((s) => next.append('service', s));
    if (form.labelSelector.value.trim()) next.set('labelSelector', form.labelSelector.value.trim());
    location.search = next.toString();
  });

  function split(text) {
    return text.split(',').map((s) => s.trim()).filter(Boolean);
  }

  function query() {
    const q = new URLSearchParams();
    filter.namespace.forEach((n) => q.append('namespace', n));
    filter.service.forEach((s) => q.append('service', s));
    if (filter.labelSelector && !clusterSet) q.set('labelSelector', filter.labelSelector);
    return q.toString();
  }

  function headers(extra) {
    const h = Object.assign({}, extra);
    if (state.token) h.Authorization = 'Bearer ' + state.token;
    return h;
  }

  // ---- token --------------------------------------------------------------------------------------------------
  $('token-button').addEventListener('click', askToken);
  $('token-dialog').addEventListener('close', () => {
    if ($('token-dialog').returnValue === 'ok' && $('token-input').value.trim()) {
      state.token = $('token-input').value.trim();
      sessionStorage.setItem(TOKEN_KEY, state.token);
      $('token-input').value = '';
      restart();
    }
  });

  function askToken() {
    $('token-button').hidden = false;
    if (!$('token-dialog').open) $('token-dialog').showModal();
  }

  // ---- the stream ---------------------------------------------------------------------------------------------
  async function connect() {
    const controller = new AbortController();
    state.controller = controller;
    setConnection(state.synced ? 'reconnecting' : 'connecting');
    let response;
    try {
      response = await fetch(api + '/stream?' + query(), {
        headers: headers(state.lastId ? { 'Last-Event-ID': state.lastId, Accept: 'text/event-stream' }
          : { Accept: 'text/event-stream' }),
        cache: 'no-store',
        signal: controller.signal,
      });
    } catch (e) {
      return retry(controller);
    }
    if (response.status === 401) {
      setConnection('unauthorized', 'a token is needed');
      askToken();
      return;
    }
    if (!response.ok) {
      const problem = await response.json().catch(() => ({}));
      setConnection(response.status === 400 || response.status === 403 ? 'unauthorized' : 'reconnecting',
        problem.detail || ('HTTP ' + response.status));
      if (response.status !== 400 && response.status !== 403) retry(controller);
      return;
    }
    state.staging = new Map(state.view);
    let lastRead = Date.now();
    const watchdog = setInterval(() => {
      if (Date.now() - lastRead > STALL_MS) controller.abort();
    }, 1000);
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    let event = { type: null, data: [], id: null };
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        lastRead = Date.now();
        buffer += value;
        let newline;
        while ((newline = buffer.indexOf('\n')) >= 0) {
          let line = buffer.slice(0, newline);
          buffer = buffer.slice(newline + 1);
          if (line.endsWith('\r')) line = line.slice(0, -1);
          if (line === '') {
            if (event.type || event.data.length) handle(event);
            event = { type: null, data: [], id: null };
          } else if (!line.startsWith(':')) {
            const colon = line.indexOf(':');
            const field = colon < 0 ? line : line.slice(0, colon);
            let value = colon < 0 ? '' : line.slice(colon + 1);
            if (value.startsWith(' ')) value = value.slice(1);
            if (field === 'event') event.type = value;
            else if (field === 'data') event.data.push(value);
            else if (field === 'id') event.id = value;
          }
        }
      }
    } catch (e) {
      // Cut, aborted or stalled: reconnect below.
    } finally {
      clearInterval(watchdog);
    }
    if (state.controller === controller && !controller.reauthenticate) retry(controller);
  }

  function retry(controller) {
    if (state.controller !== controller) return;
    setConnection(state.synced ? 'reconnecting' : 'connecting');
    const delay = state.retryMs;
    state.retryMs = Math.min(state.retryMs * 2, 15000);
    setTimeout(() => { if (state.controller === controller) connect(); }, delay);
  }

  function restart() {
    if (state.controller) state.controller.abort();
    state.controller = null;
    state.retryMs = 1000;
    connect();
  }

  function handle(event) {
    const type = event.type || 'message';
    const data = event.data.join('\n');
    if (type === 'RESET') {
      state.staging = new Map();
      setConnection('reset', JSON.parse(data).reason);
      note('RESET', '', JSON.parse(data).reason);
    } else if (type === 'SYNCED') {
      if (state.staging) {
        const before = state.view;
        state.view = state.staging;
        state.staging = null;
        renderAll(before);
      }
      state.lastId = event.id || state.lastId;
      state.revision = Number(data);
      state.synced = true;
      state.retryMs = 1000;
      setConnection('synced', 'revision ' + state.revision);
    } else if (type === 'ADDED' || type === 'MODIFIED' || type === 'DELETED') {
      const service = JSON.parse(data);
      const key = service.namespace + '/' + service.name;
      const target = state.staging || state.view;
      const previous = target.get(key);
      if (type === 'DELETED') target.delete(key); else target.set(key, service);
      if (!state.staging) {
        changedAt.set(key, new Date());
        if (event.id) state.lastId = event.id;
        state.revision = Math.max(state.revision || 0, service.revision || 0);
        renderService(key, true);
        renderSummary();
        note(type, key, describe(previous, type === 'DELETED' ? null : service, service.reason));
        setConnection('synced', 'revision ' + state.revision);
      }
    } else if (type === 'REAUTHENTICATE') {
      state.controller.reauthenticate = true;
      state.controller.abort();
      setConnection('unauthorized', 'the token expired');
      askToken();
    }
  }

  function setConnection(kind, detail) {
    const badge = $('connection');
    badge.className = 'badge ' + kind;
    const labels = { connecting: 'connecting', synced: 'in sync', reconnecting: 'reconnecting', reset: 'reset',
      unauthorized: 'not authorized' };
    badge.textContent = labels[kind] + (detail ? ' · ' + detail : '');
    badge.dataset.state = kind;
  }

  // ---- rendering ----------------------------------------------------------------------------------------------
  function renderAll(before) {
    const firstView = !state.synced && elements.size === 0;
    for (const key of before.keys()) if (!state.view.has(key)) renderService(key, false);
    for (const [key, service] of state.view) {
      if (before.get(key) !== service) {
        if (before.has(key)) changedAt.set(key, new Date());
        renderService(key, false);
      }
    }
    // A small catalog opens with every service's endpoints showing; a large one as a list to open.
    if (firstView && state.view.size <= 12) elements.forEach((element) => { element.open = true; });
    renderSummary();
  }

  function namespaceSection(namespace) {
    let section = document.querySelector('section.namespace[data-namespace="' + CSS.escape(namespace) + '"]');
    if (!section) {
      section = document.createElement('section');
      section.className = 'namespace';
      section.dataset.namespace = namespace;
      const title = document.createElement('h2');
      title.textContent = namespace;
      section.appendChild(title);
      const container = $('namespaces');
      const after = [...container.children].find((s) => s.dataset.namespace > namespace);
      container.insertBefore(section, after || null);
    }
    return section;
  }

  function renderService(key, flash) {
    const service = state.view.get(key);
    let element = elements.get(key);
    if (!service) {
      if (element) {
        const section = element.parentElement;
        element.remove();
        elements.delete(key);
        if (section && section.querySelectorAll('details.service').length === 0) section.remove();
      }
      return;
    }
    if (!element) {
      element = document.createElement('details');
      element.className = 'service';
      element.dataset.key = key;
      element.addEventListener('toggle', () => { if (element.open) renderEndpoints(element); });
      const section = namespaceSection(service.namespace);
      const after = [...section.querySelectorAll('details.service')].find((d) => d.dataset.key > key);
      section.insertBefore(element, after || null);
      elements.set(key, element);
    }
    const endpoints = service.endpoints || [];
    const ready = endpoints.filter((e) => e.ready).length;
    element.dataset.endpoints = endpoints.length;
    element.dataset.ready = ready;
    const when = changedAt.get(key);
    element.innerHTML = '';
    const summary = document.createElement('summary');
    summary.append(
      span('name', service.name + (service.externalName ? ' → ' + service.externalName : '')),
      span('counts', ready + '/' + endpoints.length + ' ready'),
      span('type muted', service.type || ''),
      span('meta', 'rev ' + service.revision + (when ? ' · changed ' + when.toLocaleTimeString() : '')));
    const json = document.createElement('button');
    json.type = 'button';
    json.className = 'json';
    json.textContent = 'JSON';
    json.addEventListener('click', (e) => { e.preventDefault(); showJson(service); });
    summary.append(json);
    element.append(summary);
    if (element.open) renderEndpoints(element);
    if (flash) {
      element.classList.add('flash');
      setTimeout(() => element.classList.remove('flash'), 1200);
    }
  }

  // Endpoints are rendered only while their service is open: with thousands of services the page holds one
  // summary row each, not every endpoint.
  function renderEndpoints(element) {
    const service = state.view.get(element.dataset.key);
    element.querySelector('table, p.empty')?.remove();
    if (!service) return;
    if (!(service.endpoints || []).length) {
      const empty = text('p', service.externalName ? 'An ExternalName service: no endpoints.' : 'No endpoints.');
      empty.className = 'empty muted';
      element.append(empty);
      return;
    }
    const table = document.createElement('table');
    table.innerHTML = '<thead><tr>' + (clusterSet ? '<th>Cluster</th>' : '')
      + '<th>Address</th><th>State</th><th>Zone</th><th>Node</th><th>Pod</th><th>Ports</th></tr></thead>';
    const body = document.createElement('tbody');
    for (const endpoint of service.endpoints || []) {
      const row = document.createElement('tr');
      const stateName = endpoint.ready ? 'ready' : endpoint.terminating ? 'terminating'
        : endpoint.serving ? 'serving' : 'notready';
      row.className = 'endpoint state-' + stateName;
      row.dataset.address = (endpoint.addresses || []).join(',');
      const pod = endpoint.pod;
      const podCell = document.createElement('td');
      podCell.textContent = (endpoint.targetRef && endpoint.targetRef.name) || '';
      if (pod) {
        const labels = document.createElement('div');
        labels.className = 'labels';
        Object.entries(pod.labels || {}).forEach(([k, v]) => {
          const code = document.createElement('code');
          code.textContent = k + '=' + v;
          labels.append(code);
        });
        podCell.append(labels, text('div', 'restarts: ' + (pod.restarts ?? 0)));
      }
      const stateCell = document.createElement('td');
      stateCell.append(span('dot', ''), document.createTextNode(stateName === 'notready' ? 'not ready' : stateName));
      if (clusterSet) {
        row.dataset.cluster = endpoint.cluster || '';
        row.append(text('td', endpoint.cluster || ''));
      }
      row.append(text('td', (endpoint.addresses || []).join(', ')), stateCell, text('td', endpoint.zone || ''),
        text('td', endpoint.nodeName || ''), podCell,
        text('td', (endpoint.ports || []).map((p) => (p.name ? p.name + ' ' : '') + p.port + '/' + p.protocol)
          .join(', ')));
      body.append(row);
    }
    table.append(body);
    element.append(table);
  }

  function renderSummary() {
    let endpoints = 0;
    let ready = 0;
    const namespaces = new Set();
    for (const service of state.view.values()) {
      namespaces.add(service.namespace);
      for (const e of service.endpoints || []) { endpoints++; if (e.ready) ready++; }
    }
    const summary = $('summary');
    summary.textContent = state.view.size + ' services, ' + endpoints + ' endpoints (' + ready + ' ready) in '
      + namespaces.size + ' namespaces';
    summary.dataset.services = state.view.size;
  }

  function showJson(service) {
    // Fetched, not linked: with authentication a plain link would carry no token.
    fetch(api + '/namespaces/' + encodeURIComponent(service.namespace) + '/services/'
      + encodeURIComponent(service.name), { headers: headers({ Accept: 'application/json' }) })
      .then((r) => r.json())
      .then((json) => { $('json-text').textContent = JSON.stringify(json, null, 2); $('json-dialog').showModal(); });
  }

  // ---- timeline -----------------------------------------------------------------------------------------------
  function describe(previous, next, reason) {
    if (reason === 'access-revoked') return 'no longer readable with this token';
    if (!previous) return next ? (next.endpoints || []).length + ' endpoints' : '';
    if (!next) return 'deleted';
    const byAddress = (s) => new Map((s.endpoints || []).map((e) => [(e.addresses || []).join(','), e]));
    const before = byAddress(previous);
    const after = byAddress(next);
    const changes = [];
    for (const [address, e] of after) {
      const old = before.get(address);
      if (!old) changes.push('+' + address);
      else if (old.ready !== e.ready) changes.push(address + (e.ready ? ' ready' : ' not ready'));
    }
    for (const address of before.keys()) if (!after.has(address)) changes.push('−' + address);
    return changes.length ? changes.join(', ') : 'labels, ports or metadata';
  }

  function note(type, key, what) {
    const item = document.createElement('li');
    item.append(span('type ' + type, type), document.createTextNode(' ' + key + ' '),
      span('muted', new Date().toLocaleTimeString()), text('div', what));
    const timeline = $('timeline');
    timeline.prepend(item);
    while (timeline.children.length > TIMELINE_MAX) timeline.lastChild.remove();
  }

  // ---- staleness: the gateway says when its data may be out of date (the API server unreachable) ---------------
  async function checkStaleness() {
    try {
      const response = await fetch('/api/v1/services?labelSelector=discovery-gateway.io%2Flive-view-probe',
        { headers: headers({ Accept: 'application/json' }), cache: 'no-store' });
      if (!response.ok) return;
      const list = await response.json();
      const badge = $('stale');
      badge.hidden = !list.stale;
      badge.textContent = list.stale ? 'data stale for ' + list.dataAgeSeconds + ' s' : '';
    } catch (e) {
      // The stream's state already says the gateway is unreachable.
    }
  }

  // ---- the cluster set: offered when the gateway has one; its clusters shown in that view ---------------------
  async function checkClusters() {
    try {
      const response = await fetch('/api/v1/clusterset/clusters',
        { headers: headers({ Accept: 'application/json' }), cache: 'no-store' });
      if (!response.ok) return;
      const set = await response.json();
      $('views').hidden = false;
      $(clusterSet ? 'view-set' : 'view-local').setAttribute('aria-current', 'page');
      if (!clusterSet) return;
      const list = $('clusters');
      list.hidden = false;
      list.innerHTML = '';
      for (const cluster of set.clusters) {
        const state = !cluster.synced ? 'syncing' : cluster.staleSince ? 'stale' : 'current';
        const item = document.createElement('li');
        item.className = 'cluster state-' + state;
        item.dataset.cluster = cluster.name;
        item.dataset.state = state;
        item.title = cluster.reason || '';
        item.append(span('dot', ''), text('strong', cluster.name), document.createTextNode(
          (cluster.local ? ' (this cluster)' : '') + ' · ' + (state === 'stale'
            ? 'stale since ' + new Date(cluster.staleSince).toLocaleTimeString() : state)));
        list.append(item);
      }
    } catch (e) {
      // Not reachable now: the stream's state says so.
    }
  }

  function span(className, content) {
    const s = document.createElement('span');
    s.className = className;
    s.textContent = content;
    return s;
  }

  function text(tag, content) {
    const e = document.createElement(tag);
    e.textContent = content;
    return e;
  }

  if (clusterSet) $('labels-filter').style.display = 'none';
  connect();
  setInterval(checkStaleness, 10000);
  checkStaleness();
  setInterval(checkClusters, 5000);
  checkClusters();
})();

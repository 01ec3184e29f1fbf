/**
 * The contract of the container engine as the API uses it (engine-deps'
 * ContainerEngine): the lifecycle verbs, their errors' codes and statuses,
 * lookups by name and prefix. Run against the fake the API tests use
 * (api/fake-contract.test.ts) and against the real engine
 * (containers/contract.linux.test.ts), so the fake cannot drift.
 */
import type { HostConfig } from '@shoal/common';
import type { ContainerEngine } from '../engine/api/engine-deps.js';

/** The parts of a tap Test the contract needs. */
export interface ContractTest {
  equal(a: unknown, b: unknown, msg?: string): void;
  match(a: unknown, b: unknown, msg?: string): void;
  rejects(p: Promise<unknown>, wanted: { status?: number; code?: string; message?: string | RegExp }, msg?: string): Promise<void>;
}

/** An engine to check, with an image it can run and a command that runs until stopped (TERM ends it). */
export interface ContractSubject {
  engine: ContainerEngine;
  image: string;
  longRunning: string[];
  /** HostConfig of every create (e.g. a network mode the subject's network supports). */
  hostConfig?: HostConfig;
}

/** Run the contract: `check(name, fn)` registers one named check (a tap subtest). */
export function containerEngineContract(check: (name: string, fn: (t: ContractTest) => Promise<void>) => void, subject: () => Promise<ContractSubject>): void {
  check('create, find by id, name and prefix; a taken name is a 409 with Docker\'s sentence', async (t) => {
    const { engine, image, longRunning, hostConfig } = await subject();
    const { Id } = await engine.create('contract-a', { Image: image, Cmd: longRunning, HostConfig: hostConfig });
    t.match(Id, /^[0-9a-f]{64}$/);
    t.equal((await engine.inspect(Id)).Id, Id);
    t.equal((await engine.inspect('contract-a')).Id, Id);
    t.equal((await engine.inspect(Id.slice(0, 12))).Id, Id);
    t.equal((await engine.inspect('contract-a')).State.Status, 'created');
    t.equal((await engine.inspect('contract-a')).Name, '/contract-a');
    await t.rejects(engine.create('contract-a', { Image: image, Cmd: longRunning, HostConfig: hostConfig }), {
      status: 409, code: 'ENGINE_CONTAINER_NAME_CONFLICT',
      message: `Conflict. The container name "/contract-a" is already in use by container "${Id}". You have to remove (or rename) that container to be able to reuse that name.`,
    });
    await t.rejects(engine.inspect('contract-nope'), { status: 404, code: 'ENGINE_CONTAINER_NOT_FOUND', message: 'No such container: contract-nope' });
    await engine.remove(Id, { force: true });
  });

  check('start, stop and kill: 304 when already in that state, 409 to kill a stopped one', async (t) => {
    const { engine, image, longRunning, hostConfig } = await subject();
    const { Id } = await engine.create('contract-b', { Image: image, Cmd: longRunning, HostConfig: hostConfig });
    await t.rejects(engine.kill(Id), { status: 409, code: 'ENGINE_CONTAINER_NOT_RUNNING' });
    await t.rejects(engine.stop(Id, {}), { status: 304, code: 'ENGINE_CONTAINER_ALREADY_STOPPED' });
    await engine.start(Id);
    t.equal((await engine.inspect(Id)).State.Status, 'running');
    t.equal((await engine.inspect(Id)).State.Running, true);
    await t.rejects(engine.start(Id), { status: 304, code: 'ENGINE_CONTAINER_ALREADY_STARTED' });
    await engine.stop(Id, { timeoutS: 10 });
    const st = (await engine.inspect(Id)).State;
    t.equal(st.Status, 'exited');
    t.equal(st.Running, false);
    const waited = await engine.wait(Id, 'not-running');
    t.equal(waited.StatusCode, st.ExitCode, 'wait not-running answers at once with the exit code');
    await t.rejects(engine.stop(Id, {}), { status: 304, code: 'ENGINE_CONTAINER_ALREADY_STOPPED' });
    await engine.remove(Id, {});
  });

  check('remove: a running container needs force (409); afterwards it is gone (404)', async (t) => {
    const { engine, image, longRunning, hostConfig } = await subject();
    const { Id } = await engine.create('contract-c', { Image: image, Cmd: longRunning, HostConfig: hostConfig });
    await engine.start(Id);
    await t.rejects(engine.remove(Id, {}), { status: 409, code: 'ENGINE_CONTAINER_IS_RUNNING' });
    await engine.remove('contract-c', { force: true });
    await t.rejects(engine.inspect(Id), { status: 404, code: 'ENGINE_CONTAINER_NOT_FOUND' });
    const names = (await engine.list({ all: true })).flatMap((c) => c.Names);
    t.equal(names.includes('/contract-c'), false, 'not listed');
  });

  check('pause and unpause: only a running container; a paused one cannot be paused again', async (t) => {
    const { engine, image, longRunning, hostConfig } = await subject();
    const { Id } = await engine.create('contract-d', { Image: image, Cmd: longRunning, HostConfig: hostConfig });
    await t.rejects(engine.pause(Id), { status: 409, code: 'ENGINE_CONTAINER_NOT_RUNNING' });
    await t.rejects(engine.unpause(Id), { status: 409, code: 'ENGINE_CONTAINER_NOT_PAUSED' });
    await engine.start(Id);
    await engine.pause(Id);
    t.equal((await engine.inspect(Id)).State.Status, 'paused');
    await t.rejects(engine.pause(Id), { status: 409, code: 'ENGINE_CONTAINER_PAUSED' });
    await engine.unpause(Id);
    t.equal((await engine.inspect(Id)).State.Status, 'running');
    await engine.remove(Id, { force: true });
  });

  check('rename: the new name finds it, the old one does not, a taken name is a 409', async (t) => {
    const { engine, image, longRunning, hostConfig } = await subject();
    const a = await engine.create('contract-e', { Image: image, Cmd: longRunning, HostConfig: hostConfig });
    const b = await engine.create('contract-f', { Image: image, Cmd: longRunning, HostConfig: hostConfig });
    await engine.rename('contract-e', 'contract-g');
    t.equal((await engine.inspect('contract-g')).Id, a.Id);
    t.equal((await engine.inspect('contract-g')).Name, '/contract-g');
    await t.rejects(engine.inspect('contract-e'), { status: 404, code: 'ENGINE_CONTAINER_NOT_FOUND' });
    await t.rejects(engine.rename('contract-g', 'contract-f'), { status: 409, code: 'ENGINE_CONTAINER_NAME_CONFLICT' });
    await engine.remove(a.Id, { force: true });
    await engine.remove(b.Id, { force: true });
  });
}

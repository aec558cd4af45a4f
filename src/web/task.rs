//! The package's async runtime: a few lines of executor for the exported async methods, in place
//! of `wasm-bindgen-futures` (measured: 1.2 KB of the gzipped package less, and one `then` pair
//! per awaited promise instead of two boxed Rust closures crossing the boundary).
//!
//! Every future in the package waits only on JavaScript promises, through [`JsFut`]. So a task
//! needs no waker: the promise's `then` callbacks (one shared JavaScript function, [`wake`])
//! hand the settled value to the task and poll it again. A task is polled first on a microtask
//! after it is spawned, as `wasm-bindgen-futures` does, so an async method never runs its body
//! inside the call that started it, and a listener never runs inside a borrow.
//!
//! Tasks live in a slab indexed by the id the JavaScript side knows them by. A task is taken out of
//! its slot while it is polled, so a task may spawn others (or a listener may call back into the
//! package) without any borrow being held.

use core::cell::{Cell, RefCell};
use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll, Waker};

use wasm_bindgen::prelude::*;

type Task = Pin<Box<dyn Future<Output = Result<JsValue, JsValue>>>>;

#[derive(Default)]
struct Slot {
    /// The slot holds a task that has not finished (its future may be out, being polled).
    live: bool,
    future: Option<Task>,
    /// What the promise the task waits on settled with.
    inbox: Option<Result<JsValue, JsValue>>,
}

thread_local! {
    static SLOTS: RefCell<Vec<Slot>> = const { RefCell::new(Vec::new()) };
    /// The task being polled (what a [`JsFut`] registers its promise for).
    static CURRENT: Cell<u32> = const { Cell::new(0) };
    static INSTALLED: Cell<bool> = const { Cell::new(false) };
}

// The promises of the tasks and the `then` wiring. `wake` is the module's one callback into the
// executor (installed on the first spawn).
#[wasm_bindgen(inline_js = r#"
const tasks = new Map();
let wake;
export function install(f) { wake = f; }
export function spawn(id) {
  const p = new Promise((ok, no) => tasks.set(id, [ok, no]));
  Promise.resolve().then(() => wake(id, undefined, true));
  return p;
}
export function settle(id, ok, value) {
  const t = tasks.get(id);
  tasks.delete(id);
  t[ok ? 0 : 1](value);
}
export function wait(id, p) {
  p.then((v) => wake(id, v, true), (e) => wake(id, e, false));
}
"#)]
extern "C" {
    fn install(wake: &JsValue);
    #[wasm_bindgen(js_name = spawn)]
    fn js_spawn(id: u32) -> js_sys::Promise;
    fn settle(id: u32, ok: bool, value: JsValue);
    fn wait(id: u32, promise: &js_sys::Promise);
}

/// Installs the executor's callback, once (on the first spawn).
fn install_once() {
    if INSTALLED.replace(true) {
        return;
    }
    let f = Closure::<dyn FnMut(u32, JsValue, bool)>::new(wake);
    install(f.as_ref());
    f.forget();
}

/// Runs `f` as a task and returns the promise of its result. Its first poll is on a microtask.
#[inline(never)]
pub(crate) fn spawn(f: Task) -> js_sys::Promise {
    install_once();
    let id = SLOTS.with(|s| {
        let mut s = s.borrow_mut();
        let id = match s.iter().position(|slot| !slot.live) {
            Some(i) => i,
            None => {
                s.push(Slot::default());
                s.len() - 1
            }
        };
        if let Some(slot) = s.get_mut(id) {
            *slot = Slot {
                live: true,
                future: Some(f),
                inbox: None,
            };
        }
        id as u32
    });
    js_spawn(id)
}

/// A promise settled for task `id`: hand its value over and poll the task.
fn wake(id: u32, value: JsValue, ok: bool) {
    let future = SLOTS.with(|s| {
        let mut s = s.borrow_mut();
        let slot = s.get_mut(id as usize)?;
        slot.inbox = Some(if ok { Ok(value) } else { Err(value) });
        slot.future.take()
    });
    let Some(mut future) = future else { return };
    let before = CURRENT.replace(id);
    let polled = future
        .as_mut()
        .poll(&mut Context::from_waker(Waker::noop()));
    CURRENT.set(before);
    let done = match polled {
        Poll::Ready(result) => Some(result),
        Poll::Pending => None,
    };
    SLOTS.with(|s| {
        if let Some(slot) = s.borrow_mut().get_mut(id as usize) {
            if done.is_some() {
                *slot = Slot::default();
            } else {
                slot.future = Some(future);
            }
        }
    });
    if let Some(result) = done {
        match result {
            Ok(v) => settle(id, true, v),
            Err(e) => settle(id, false, e),
        }
    }
}

/// Awaits a JavaScript promise inside a task started by [`spawn`]. A task waits on one promise at
/// a time (its slot has one inbox), which is how every future in the package is written: to wait
/// on several, await `Promise.all` of them through one `JsFut` (as `listCredentials` does), not a
/// join of several `JsFut`s.
pub(crate) struct JsFut {
    promise: Option<js_sys::Promise>,
    task: u32,
}

impl JsFut {
    pub(crate) fn new(promise: js_sys::Promise) -> JsFut {
        JsFut {
            promise: Some(promise),
            task: 0,
        }
    }
}

impl Future for JsFut {
    type Output = Result<JsValue, JsValue>;

    fn poll(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Self::Output> {
        if let Some(promise) = self.promise.take() {
            let task = CURRENT.get();
            self.task = task;
            SLOTS.with(|s| {
                if let Some(slot) = s.borrow_mut().get_mut(task as usize) {
                    slot.inbox = None;
                }
            });
            wait(task, &promise);
            return Poll::Pending;
        }
        let task = self.task;
        SLOTS
            .with(|s| {
                s.borrow_mut()
                    .get_mut(task as usize)
                    .and_then(|slot| slot.inbox.take())
            })
            .map_or(Poll::Pending, Poll::Ready)
    }
}

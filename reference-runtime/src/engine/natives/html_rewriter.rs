//! Natives behind HTMLRewriter: a streaming lol_html rewriter per `transform()`, whose content
//! handlers call back into JS while `rewriterWrite` or `rewriterEnd` runs.
//!
//! A handler gets a token id, and JS reaches the element, text chunk, comment, doctype, end tag
//! or document end through `rewriterOp(state, token, op, ...)`. The token is valid only while its
//! handler runs, as in workerd, because lol_html lends the content to the handler for that call.

use std::borrow::Cow;
use std::cell::{Cell, RefCell};
use std::rc::Rc;

use lol_html::errors::RewritingError;
use lol_html::html_content::{
    Comment, ContentType, Doctype, DocumentEnd, Element, EndTag, TextChunk,
};
use lol_html::{
    DocumentContentHandlers, ElementContentHandlers, HandlerResult, HtmlRewriter, OutputSink,
    Selector, Settings,
};
use rquickjs::class::{JsClass, Readable, Trace, Tracer};
use rquickjs::function::Opt;
use rquickjs::{
    Class, Constructor, Ctx, Exception, Function, IntoJs, JsLifetime, Object, Result, TypedArray,
    Value,
};

/// workerd's message for a content token used after its handler returned.
const TOKEN_INVALID: &str = "This content token is no longer valid. Content tokens are only valid \
     during the execution of the relevant content handler.";

// Bits of the handler flags that JS passes for each selector and document handler object.
const HAS_ELEMENT: u32 = 1;
const HAS_COMMENTS: u32 = 2;
const HAS_TEXT: u32 = 4;
const HAS_DOCTYPE: u32 = 8;
const HAS_END: u32 = 16;

/// The content that the running handler may touch. The pointers come from the `&mut` that
/// lol_html passes to the handler and are only dereferenced while that handler runs.
#[derive(Clone, Copy)]
enum Current {
    None,
    Element(*mut Element<'static, 'static>),
    EndTag(*mut EndTag<'static>),
    Text(*mut TextChunk<'static>),
    Comment(*mut Comment<'static>),
    Doctype(*mut Doctype<'static>),
    End(*mut DocumentEnd<'static>),
}

/// State shared by the rewriter's handlers, its output sink and the natives.
struct Shared {
    /// The JS dispatch function of the `rewriterWrite` or `rewriterEnd` call in progress.
    dispatch: RefCell<Option<Function<'static>>>,
    /// Token id and content of the handler that runs now; id 0 means none.
    current: Cell<(u64, Current)>,
    next_token: Cell<u64>,
    output: RefCell<Vec<u8>>,
}

/// Error that a handler returns to lol_html when its JS callback threw. The JS exception stays
/// pending, so the native that called lol_html rethrows it.
#[derive(Debug)]
struct HandlerThrew;

impl std::fmt::Display for HandlerThrew {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str("an HTMLRewriter handler threw")
    }
}

impl std::error::Error for HandlerThrew {}

/// Calls the JS handler `index` of `kind` with a fresh token for `content`.
fn dispatch(shared: &Shared, kind: &str, index: usize, content: Current) -> HandlerResult {
    let token = shared.next_token.get() + 1;
    shared.next_token.set(token);
    let previous = shared.current.replace((token, content));
    let function = shared.dispatch.borrow().clone();
    let result = match function {
        Some(function) => function.call::<_, ()>((kind, index as f64, token as f64)),
        None => Ok(()),
    };
    shared.current.set(previous);
    result.map_err(|_| Box::new(HandlerThrew) as Box<dyn std::error::Error + Send + Sync>)
}

struct Sink(Rc<Shared>);

impl OutputSink for Sink {
    fn handle_chunk(&mut self, chunk: &[u8]) {
        self.0.output.borrow_mut().extend_from_slice(chunk);
    }
}

/// One `transform()` in progress: the lol_html rewriter, until it ended or failed.
pub(crate) struct RewriterState {
    rewriter: RefCell<Option<HtmlRewriter<'static, Sink>>>,
    shared: Rc<Shared>,
}

impl<'js> Trace<'js> for RewriterState {
    fn trace<'a>(&self, _tracer: Tracer<'a, 'js>) {}
}

// SAFETY: the state contains a JS value (the dispatch function) only while a native call runs,
// never across calls, so it is the same type for every lifetime.
unsafe impl<'js> JsLifetime<'js> for RewriterState {
    type Changed<'to> = RewriterState;
}

impl<'js> JsClass<'js> for RewriterState {
    const NAME: &'static str = "RewriterState";

    type Mutable = Readable;

    fn constructor(_ctx: &Ctx<'js>) -> Result<Option<Constructor<'js>>> {
        Ok(None)
    }
}

/// Clears the dispatch function when a write or end call returns, even by an error.
struct DispatchGuard<'a>(&'a Shared);

impl Drop for DispatchGuard<'_> {
    fn drop(&mut self) {
        self.0.dispatch.borrow_mut().take();
    }
}

fn install_dispatch<'a>(shared: &'a Shared, function: Function<'_>) -> DispatchGuard<'a> {
    // SAFETY: the function is only called, and dropped, before the native call that received
    // it returns (the guard clears it), so it never outlives its real lifetime.
    let function: Function<'static> = unsafe { std::mem::transmute(function) };
    *shared.dispatch.borrow_mut() = Some(function);
    DispatchGuard(shared)
}

fn parse_selector(ctx: &Ctx<'_>, selector: &str) -> Result<Selector> {
    selector
        .parse::<Selector>()
        // workerd's wording for an unsupported selector.
        .map_err(|error| Exception::throw_type(ctx, &format!("Parser error: {error}")))
}

fn new_state(
    ctx: &Ctx<'_>,
    selectors: Vec<String>,
    element_flags: Vec<u32>,
    document_flags: Vec<u32>,
) -> Result<RewriterState> {
    let shared = Rc::new(Shared {
        dispatch: RefCell::new(None),
        current: Cell::new((0, Current::None)),
        next_token: Cell::new(0),
        output: RefCell::new(Vec::new()),
    });
    let mut settings = Settings::new();
    for (index, (selector, flags)) in selectors.iter().zip(element_flags).enumerate() {
        let selector = parse_selector(ctx, selector)?;
        let mut handlers = ElementContentHandlers::default();
        if flags & HAS_ELEMENT != 0 {
            let s = shared.clone();
            handlers.element = Some(Box::new(move |element: &mut Element<'_, '_>| {
                let pointer = std::ptr::from_mut(element).cast();
                dispatch(&s, "element", index, Current::Element(pointer))
            }) as lol_html::ElementHandler<'static>);
        }
        if flags & HAS_COMMENTS != 0 {
            let s = shared.clone();
            handlers.comments = Some(Box::new(move |comment: &mut Comment<'_>| {
                let pointer = std::ptr::from_mut(comment).cast();
                dispatch(&s, "comments", index, Current::Comment(pointer))
            }) as lol_html::CommentHandler<'static>);
        }
        if flags & HAS_TEXT != 0 {
            let s = shared.clone();
            handlers.text = Some(Box::new(move |text: &mut TextChunk<'_>| {
                let pointer = std::ptr::from_mut(text).cast();
                dispatch(&s, "text", index, Current::Text(pointer))
            }) as lol_html::TextHandler<'static>);
        }
        settings = settings.append_element_content_handler((Cow::Owned(selector), handlers));
    }
    for (index, flags) in document_flags.into_iter().enumerate() {
        let mut handlers = DocumentContentHandlers::default();
        if flags & HAS_DOCTYPE != 0 {
            let s = shared.clone();
            handlers.doctype = Some(Box::new(move |doctype: &mut Doctype<'_>| {
                let pointer = std::ptr::from_mut(doctype).cast();
                dispatch(&s, "doctype", index, Current::Doctype(pointer))
            }) as lol_html::DoctypeHandler<'static>);
        }
        if flags & HAS_COMMENTS != 0 {
            let s = shared.clone();
            handlers.comments = Some(Box::new(move |comment: &mut Comment<'_>| {
                let pointer = std::ptr::from_mut(comment).cast();
                dispatch(&s, "documentComments", index, Current::Comment(pointer))
            }) as lol_html::CommentHandler<'static>);
        }
        if flags & HAS_TEXT != 0 {
            let s = shared.clone();
            handlers.text = Some(Box::new(move |text: &mut TextChunk<'_>| {
                let pointer = std::ptr::from_mut(text).cast();
                dispatch(&s, "documentText", index, Current::Text(pointer))
            }) as lol_html::TextHandler<'static>);
        }
        if flags & HAS_END != 0 {
            let s = shared.clone();
            handlers.end = Some(Box::new(move |end: &mut DocumentEnd<'_>| {
                let pointer = std::ptr::from_mut(end).cast();
                dispatch(&s, "end", index, Current::End(pointer))
            }) as lol_html::EndHandler<'static>);
        }
        settings = settings.append_document_content_handler(handlers);
    }
    let rewriter = HtmlRewriter::new(settings, Sink(shared.clone()));
    Ok(RewriterState {
        rewriter: RefCell::new(Some(rewriter)),
        shared,
    })
}

/// Turns the outcome of a lol_html call into the output bytes or the JS exception.
fn finish_call<'js>(
    ctx: &Ctx<'js>,
    state: &RewriterState,
    result: std::result::Result<(), RewritingError>,
) -> Result<TypedArray<'js, u8>> {
    let output = std::mem::take(&mut *state.shared.output.borrow_mut());
    match result {
        Ok(()) => TypedArray::new(ctx.clone(), output),
        Err(RewritingError::ContentHandlerError(_)) => {
            state.rewriter.borrow_mut().take();
            // The handler's exception is still pending in the context.
            Err(rquickjs::Error::Exception)
        }
        Err(error) => {
            state.rewriter.borrow_mut().take();
            Err(Exception::throw_type(
                ctx,
                &format!("HTMLRewriter failed: {error}"),
            ))
        }
    }
}

fn content_type(html: &Opt<bool>) -> ContentType {
    if html.0.unwrap_or(false) {
        ContentType::Html
    } else {
        ContentType::Text
    }
}

/// Runs one operation on the running handler's content and returns its JS result.
fn run_op<'js>(
    ctx: &Ctx<'js>,
    shared: &Rc<Shared>,
    content: Current,
    op: &str,
    first: Option<String>,
    second: Option<String>,
    html: Opt<bool>,
) -> Result<Value<'js>> {
    let first_arg = || first.clone().unwrap_or_default();
    let undefined = Value::new_undefined(ctx.clone());
    let kind = content_type(&html);
    let unknown = || Exception::throw_type(ctx, &format!("unknown HTMLRewriter operation `{op}`"));
    // SAFETY (for every dereference below): the caller checked that `content` belongs to the
    // handler that runs now. So lol_html's `&mut` borrow behind the pointer is alive, and no
    // other reference to it is in use while this native runs.
    match content {
        Current::None => Err(Exception::throw_type(ctx, TOKEN_INVALID)),
        Current::Element(pointer) => {
            let element = unsafe { &mut *pointer };
            match op {
                "tagName" => element.tag_name().into_js(ctx),
                "setTagName" => {
                    element
                        .set_tag_name(&first_arg())
                        .map_err(|error| Exception::throw_type(ctx, &error.to_string()))?;
                    Ok(undefined)
                }
                "getAttribute" => element.get_attribute(&first_arg()).into_js(ctx),
                "hasAttribute" => element.has_attribute(&first_arg()).into_js(ctx),
                "setAttribute" => {
                    element
                        .set_attribute(&first_arg(), &second.unwrap_or_default())
                        .map_err(|error| Exception::throw_type(ctx, &error.to_string()))?;
                    Ok(undefined)
                }
                "removeAttribute" => {
                    element.remove_attribute(&first_arg());
                    Ok(undefined)
                }
                "attributes" => {
                    let pairs: Vec<Vec<String>> = element
                        .attributes()
                        .iter()
                        .map(|attribute| vec![attribute.name(), attribute.value()])
                        .collect();
                    pairs.into_js(ctx)
                }
                "namespaceURI" => element.namespace_uri().into_js(ctx),
                "selfClosing" => element.is_self_closing().into_js(ctx),
                "canHaveContent" => element.can_have_content().into_js(ctx),
                "removed" => element.removed().into_js(ctx),
                "before" => {
                    element.before(&first_arg(), kind);
                    Ok(undefined)
                }
                "after" => {
                    element.after(&first_arg(), kind);
                    Ok(undefined)
                }
                "prepend" => {
                    element.prepend(&first_arg(), kind);
                    Ok(undefined)
                }
                "append" => {
                    element.append(&first_arg(), kind);
                    Ok(undefined)
                }
                "replace" => {
                    element.replace(&first_arg(), kind);
                    Ok(undefined)
                }
                "setInnerContent" => {
                    element.set_inner_content(&first_arg(), kind);
                    Ok(undefined)
                }
                "remove" => {
                    element.remove();
                    Ok(undefined)
                }
                "removeAndKeepContent" => {
                    element.remove_and_keep_content();
                    Ok(undefined)
                }
                "onEndTag" => {
                    let index: usize = first_arg().parse().map_err(|_| unknown())?;
                    let s = shared.clone();
                    element
                        .on_end_tag(Box::new(move |end: &mut EndTag<'_>| {
                            let pointer = std::ptr::from_mut(end).cast();
                            dispatch(&s, "endTag", index, Current::EndTag(pointer))
                        }) as lol_html::EndTagHandler<'static>)
                        .map_err(|_| Exception::throw_type(ctx, "This element cannot have an end tag, so it cannot have an end tag handler."))?;
                    Ok(undefined)
                }
                _ => Err(unknown()),
            }
        }
        Current::EndTag(pointer) => {
            let end = unsafe { &mut *pointer };
            match op {
                "name" => end.name().into_js(ctx),
                "setName" => {
                    end.set_name_str(first_arg());
                    Ok(undefined)
                }
                "before" => {
                    end.before(&first_arg(), kind);
                    Ok(undefined)
                }
                "after" => {
                    end.after(&first_arg(), kind);
                    Ok(undefined)
                }
                "remove" => {
                    end.remove();
                    Ok(undefined)
                }
                _ => Err(unknown()),
            }
        }
        Current::Text(pointer) => {
            let text = unsafe { &mut *pointer };
            match op {
                "text" => text.as_str().into_js(ctx),
                "lastInTextNode" => text.last_in_text_node().into_js(ctx),
                "removed" => text.removed().into_js(ctx),
                "before" => {
                    text.before(&first_arg(), kind);
                    Ok(undefined)
                }
                "after" => {
                    text.after(&first_arg(), kind);
                    Ok(undefined)
                }
                "replace" => {
                    text.replace(&first_arg(), kind);
                    Ok(undefined)
                }
                "remove" => {
                    text.remove();
                    Ok(undefined)
                }
                _ => Err(unknown()),
            }
        }
        Current::Comment(pointer) => {
            let comment = unsafe { &mut *pointer };
            match op {
                "text" => comment.text().into_js(ctx),
                "setText" => {
                    comment
                        .set_text(&first_arg())
                        .map_err(|error| Exception::throw_type(ctx, &error.to_string()))?;
                    Ok(undefined)
                }
                "removed" => comment.removed().into_js(ctx),
                "before" => {
                    comment.before(&first_arg(), kind);
                    Ok(undefined)
                }
                "after" => {
                    comment.after(&first_arg(), kind);
                    Ok(undefined)
                }
                "replace" => {
                    comment.replace(&first_arg(), kind);
                    Ok(undefined)
                }
                "remove" => {
                    comment.remove();
                    Ok(undefined)
                }
                _ => Err(unknown()),
            }
        }
        Current::Doctype(pointer) => {
            let doctype = unsafe { &mut *pointer };
            match op {
                "name" => doctype.name().into_js(ctx),
                "publicId" => doctype.public_id().into_js(ctx),
                "systemId" => doctype.system_id().into_js(ctx),
                _ => Err(unknown()),
            }
        }
        Current::End(pointer) => {
            let end = unsafe { &mut *pointer };
            match op {
                "append" => {
                    end.append(&first_arg(), kind);
                    Ok(undefined)
                }
                _ => Err(unknown()),
            }
        }
    }
}

/// Registers `rewriterCheckSelector`, `rewriterNew`, `rewriterWrite`, `rewriterEnd` and
/// `rewriterOp` on `host`.
pub(crate) fn register<'js>(ctx: &Ctx<'js>, host: &Object<'js>) -> Result<()> {
    // rewriterCheckSelector(selector) -> undefined, or a TypeError for a selector that lol_html
    // does not support.
    host.set(
        "rewriterCheckSelector",
        Function::new(
            ctx.clone(),
            |ctx: Ctx<'js>, selector: String| -> Result<()> {
                parse_selector(&ctx, &selector).map(|_| ())
            },
        )?,
    )?;

    // rewriterNew(selectors, elementFlags, documentFlags) -> state. The HAS_* bits of each flag
    // mark the handlers that a selector's or a document's handler object defines.
    host.set(
        "rewriterNew",
        Function::new(
            ctx.clone(),
            |ctx: Ctx<'js>,
             selectors: Vec<String>,
             element_flags: Vec<u32>,
             document_flags: Vec<u32>| {
                let state = new_state(&ctx, selectors, element_flags, document_flags)?;
                Class::instance(ctx, state)
            },
        )?,
    )?;

    // rewriterWrite(state, chunk, dispatch) -> rewritten output so far. `dispatch(kind, index,
    // token)` runs each handler; what it throws is rethrown and ends the rewriter.
    host.set(
        "rewriterWrite",
        Function::new(
            ctx.clone(),
            |ctx: Ctx<'js>,
             state: Class<'js, RewriterState>,
             chunk: TypedArray<'js, u8>,
             dispatch: Function<'js>| {
                // SAFETY: copied before any handler runs JS that could detach the buffer.
                let input = unsafe { chunk.as_bytes() }.unwrap_or_default().to_vec();
                let state = state.borrow();
                let _guard = install_dispatch(&state.shared, dispatch);
                let result = {
                    let Ok(mut slot) = state.rewriter.try_borrow_mut() else {
                        return Err(Exception::throw_type(
                            &ctx,
                            "This HTMLRewriter is already rewriting.",
                        ));
                    };
                    let Some(rewriter) = slot.as_mut() else {
                        return Err(Exception::throw_type(
                            &ctx,
                            "This HTMLRewriter has already finished.",
                        ));
                    };
                    rewriter.write(&input)
                };
                finish_call(&ctx, &state, result)
            },
        )?,
    )?;

    // rewriterEnd(state, dispatch) -> the last output, after the document end handlers ran.
    host.set(
        "rewriterEnd",
        Function::new(
            ctx.clone(),
            |ctx: Ctx<'js>, state: Class<'js, RewriterState>, dispatch: Function<'js>| {
                let state = state.borrow();
                let _guard = install_dispatch(&state.shared, dispatch);
                let rewriter = {
                    let Ok(mut slot) = state.rewriter.try_borrow_mut() else {
                        return Err(Exception::throw_type(
                            &ctx,
                            "This HTMLRewriter is already rewriting.",
                        ));
                    };
                    slot.take()
                };
                let Some(rewriter) = rewriter else {
                    return Err(Exception::throw_type(
                        &ctx,
                        "This HTMLRewriter has already finished.",
                    ));
                };
                let result = rewriter.end();
                finish_call(&ctx, &state, result)
            },
        )?,
    )?;

    // rewriterOp(state, token, op, first?, second?, html?) -> the operation's result. `op` is an
    // Element, EndTag, Text, Comment, Doctype or DocumentEnd member such as "setAttribute".
    host.set(
        "rewriterOp",
        Function::new(
            ctx.clone(),
            |ctx: Ctx<'js>,
             state: Class<'js, RewriterState>,
             token: f64,
             op: String,
             first: Opt<Option<String>>,
             second: Opt<Option<String>>,
             html: Opt<bool>| {
                let state = state.borrow();
                let (current_token, content) = state.shared.current.get();
                if current_token == 0 || current_token != token as u64 {
                    return Err(Exception::throw_type(&ctx, TOKEN_INVALID));
                }
                run_op(
                    &ctx,
                    &state.shared,
                    content,
                    &op,
                    first.0.flatten(),
                    second.0.flatten(),
                    html,
                )
            },
        )?,
    )?;
    Ok(())
}

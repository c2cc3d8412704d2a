// Snowball's English stemmer, as tantivy runs it (Snowball 3.1.1, through the
// `frostem` crate), ported from the generated Rust line by line. It works on
// UTF-8 bytes like the original, so every cursor move and quick check is the
// same; the Rust test suite checks it against tantivy for every word of a book.

function SnowballEnv(bytes) {
  this.current = bytes;
  this.cursor = 0;
  this.limit = bytes.length;
  this.limitBackward = 0;
  this.bra = 0;
  this.ket = 0;
}

SnowballEnv.prototype = {
  isBoundary: function (i) {
    return i <= 0 || i >= this.current.length || (this.current[i] & 0xc0) !== 0x80;
  },
  // The code point at `i`, as far as groupings need it: only ASCII ranges are ever tested.
  charAt: function (i) {
    var b = this.current[i];
    return b < 0x80 ? b : 0x10000;
  },
  replaceS: function (bra, ket, s) {
    var adjustment = s.length - (ket - bra);
    this.current = this.current.slice(0, bra).concat(s, this.current.slice(ket));
    this.limit += adjustment;
    if (this.cursor >= ket) this.cursor += adjustment;
    else if (this.cursor > bra) this.cursor = bra;
    return adjustment;
  },
  eqS: function (s) {
    if (this.cursor >= this.limit) return false;
    for (var i = 0; i < s.length; i++) {
      if (this.current[this.cursor + i] !== s[i]) return false;
    }
    this.cursor += s.length;
    while (!this.isBoundary(this.cursor)) this.cursor++;
    return true;
  },
  eqSB: function (s) {
    if (this.cursor - this.limitBackward < s.length) return false;
    var start = this.cursor - s.length;
    if (!this.isBoundary(start)) return false;
    for (var i = 0; i < s.length; i++) {
      if (this.current[start + i] !== s[i]) return false;
    }
    this.cursor = start;
    return true;
  },
  sliceFrom: function (s) {
    var bra = this.bra;
    this.replaceS(bra, this.ket, s);
    this.ket = bra + s.length;
  },
  sliceDel: function () { this.sliceFrom([]); },
  nextChar: function () {
    this.cursor++;
    while (!this.isBoundary(this.cursor)) this.cursor++;
  },
  previousChar: function () {
    this.cursor--;
    while (!this.isBoundary(this.cursor)) this.cursor--;
  },
  hop: function (delta) {
    var res = this.cursor;
    while (delta > 0) {
      delta--;
      if (res >= this.limit) return false;
      res++;
      while (res < this.limit && !this.isBoundary(res)) res++;
    }
    this.cursor = res;
    return true;
  },
  hopBack: function (delta) {
    var res = this.cursor;
    while (delta > 0) {
      delta--;
      if (res <= this.limitBackward) return false;
      res--;
      while (res > this.limitBackward && !this.isBoundary(res)) res--;
    }
    this.cursor = res;
    return true;
  },
  inGroup: function (g, min, max, ch) {
    if (ch > max || ch < min) return false;
    ch -= min;
    return (g[ch >> 3] & (1 << (ch & 7))) !== 0;
  },
  inGrouping: function (g, min, max) {
    if (this.cursor >= this.limit) return false;
    if (!this.inGroup(g, min, max, this.charAt(this.cursor))) return false;
    this.nextChar();
    return true;
  },
  goInGrouping: function (g, min, max) {
    while (this.cursor < this.limit) {
      if (!this.inGroup(g, min, max, this.charAt(this.cursor))) return true;
      this.nextChar();
    }
    return false;
  },
  inGroupingB: function (g, min, max) {
    if (this.cursor <= this.limitBackward) return false;
    var c = this.cursor;
    this.previousChar();
    if (!this.inGroup(g, min, max, this.charAt(this.cursor))) {
      this.cursor = c;
      return false;
    }
    return true;
  },
  outGrouping: function (g, min, max) {
    if (this.cursor >= this.limit) return false;
    if (this.inGroup(g, min, max, this.charAt(this.cursor))) return false;
    this.nextChar();
    return true;
  },
  goOutGrouping: function (g, min, max) {
    while (this.cursor < this.limit) {
      if (this.inGroup(g, min, max, this.charAt(this.cursor))) return true;
      this.nextChar();
    }
    return false;
  },
  outGroupingB: function (g, min, max) {
    if (this.cursor <= this.limitBackward) return false;
    var c = this.cursor;
    this.previousChar();
    if (!this.inGroup(g, min, max, this.charAt(this.cursor))) return true;
    this.cursor = c;
    return false;
  },
  goOutGroupingB: function (g, min, max) {
    while (this.cursor > this.limitBackward) {
      var c = this.cursor;
      this.previousChar();
      if (this.inGroup(g, min, max, this.charAt(this.cursor))) {
        this.cursor = c;
        return true;
      }
    }
    return false;
  },
  findAmong: function (amongs) {
    var i = 0, j = amongs.length, c = this.cursor, l = this.limit;
    var commonI = 0, commonJ = 0, firstKeyInspected = false;
    for (;;) {
      var k = i + ((j - i) >> 1), diff = 0, common = Math.min(commonI, commonJ), w = amongs[k][0];
      for (var lvar = common; lvar < w.length; lvar++) {
        if (c + common === l) { diff = -1; break; }
        diff = this.current[c + common] - w[lvar];
        if (diff !== 0) break;
        common++;
      }
      if (diff < 0) { j = k; commonJ = common; } else { i = k; commonI = common; }
      if (j - i <= 1) {
        if (i > 0 || j === i || firstKeyInspected) break;
        firstKeyInspected = true;
      }
    }
    for (;;) {
      var a = amongs[i];
      if (commonI >= a[0].length) {
        this.cursor = c + a[0].length;
        return a[2];
      }
      i = a[1];
      if (i < 0) return 0;
    }
  },
  findAmongB: function (amongs) {
    var i = 0, j = amongs.length, c = this.cursor, lb = this.limitBackward;
    var commonI = 0, commonJ = 0, firstKeyInspected = false;
    for (;;) {
      var k = i + ((j - i) >> 1), diff = 0, common = commonI < commonJ ? commonI : commonJ, w = amongs[k][0];
      for (var lvar = w.length - common - 1; lvar >= 0; lvar--) {
        if (c - common === lb) { diff = -1; break; }
        diff = this.current[c - common - 1] - w[lvar];
        if (diff !== 0) break;
        common++;
      }
      if (diff < 0) { j = k; commonJ = common; } else { i = k; commonI = common; }
      if (j - i <= 1) {
        if (i > 0 || j === i || firstKeyInspected) break;
        firstKeyInspected = true;
      }
    }
    for (;;) {
      var a = amongs[i];
      if (commonI >= a[0].length) {
        this.cursor = c - a[0].length;
        return a[2];
      }
      i = a[1];
      if (i < 0) return 0;
    }
  },
  // The quick checks of the generated code: is the byte at `i` an ASCII letter in `mask`?
  byteIn: function (i, mask) {
    var b = this.current[i];
    return (b >> 5) === 3 && ((mask >> (b & 0x1f)) & 1) === 1;
  }
};

var englishStem = (function () {
  function s(text) {
    var out = [];
    for (var i = 0; i < text.length; i++) out.push(text.charCodeAt(i));
    return out;
  }
  function among(rows) {
    return rows.map(function (r) { return [s(r[0]), r[1], r[2]]; });
  }
  var A_0 = among([["arsen", -1, -1], ["commun", -1, -1], ["emerg", -1, -1], ["gener", -1, -1],
    ["inter", -1, -1], ["later", -1, -1], ["organ", -1, -1], ["past", -1, -1], ["univers", -1, -1]]);
  var A_1 = among([["'", -1, 1], ["'s'", 0, 1], ["'s", -1, 1]]);
  var A_2 = among([["ied", -1, 2], ["s", -1, 3], ["ies", 1, 2], ["sses", 1, 1], ["ss", 1, -1], ["us", 1, -1]]);
  var A_3 = among([["succ", -1, 1], ["proc", -1, 1], ["exc", -1, 1]]);
  var A_4 = among([["even", -1, 2], ["cann", -1, 2], ["inn", -1, 2], ["earr", -1, 2], ["herr", -1, 2],
    ["out", -1, 2], ["y", -1, 1]]);
  var A_5 = among([["", -1, -1], ["ed", 0, 2], ["eed", 1, 1], ["ing", 0, 3], ["edly", 0, 2], ["eedly", 4, 1],
    ["ingly", 0, 2]]);
  var A_6 = among([["", -1, 3], ["bb", 0, 2], ["dd", 0, 2], ["ff", 0, 2], ["gg", 0, 2], ["bl", 0, 1],
    ["mm", 0, 2], ["nn", 0, 2], ["pp", 0, 2], ["rr", 0, 2], ["at", 0, 1], ["tt", 0, 2], ["iz", 0, 1]]);
  var A_7 = among([["anci", -1, 3], ["enci", -1, 2], ["ogi", -1, 14], ["li", -1, 16], ["bli", 3, 12],
    ["abli", 4, 4], ["alli", 3, 8], ["fulli", 3, 9], ["lessli", 3, 15], ["ousli", 3, 10], ["entli", 3, 5],
    ["aliti", -1, 8], ["biliti", -1, 12], ["iviti", -1, 11], ["tional", -1, 1], ["ational", 14, 7],
    ["alism", -1, 8], ["ation", -1, 7], ["ization", 17, 6], ["izer", -1, 6], ["ator", -1, 7],
    ["iveness", -1, 11], ["fulness", -1, 9], ["ousness", -1, 10], ["ogist", -1, 13]]);
  var A_8 = among([["icate", -1, 4], ["ative", -1, 6], ["alize", -1, 3], ["iciti", -1, 4], ["ical", -1, 4],
    ["tional", -1, 1], ["ational", 5, 2], ["ful", -1, 5], ["ness", -1, 5]]);
  var A_9 = among([["ic", -1, 1], ["ance", -1, 1], ["ence", -1, 1], ["able", -1, 1], ["ible", -1, 1],
    ["ate", -1, 1], ["ive", -1, 1], ["ize", -1, 1], ["iti", -1, 1], ["al", -1, 1], ["ism", -1, 1],
    ["ion", -1, 2], ["er", -1, 1], ["ous", -1, 1], ["ant", -1, 1], ["ent", -1, 1], ["ment", 15, 1],
    ["ement", 16, 1]]);
  var A_10 = among([["e", -1, 1], ["l", -1, 2]]);
  var A_11 = among([["andes", -1, -1], ["atlas", -1, -1], ["bias", -1, -1], ["cosmos", -1, -1],
    ["early", -1, 6], ["gently", -1, 4], ["howe", -1, -1], ["idly", -1, 3], ["news", -1, -1],
    ["only", -1, 7], ["singly", -1, 8], ["skies", -1, 2], ["skis", -1, 1], ["sky", -1, -1],
    ["ugly", -1, 5]]);
  var G_aeo = [17, 64];
  var G_v = [17, 65, 16, 1];
  var G_v_WXY = [1, 17, 65, 208, 1];
  var G_valid_LI = [55, 141, 2];

  function shortv(env) {
    var v_1 = env.limit - env.cursor;
    lab1: {
      if (!env.outGroupingB(G_v_WXY, 89, 121)) break lab1;
      if (!env.inGroupingB(G_v, 97, 121)) break lab1;
      if (!env.outGroupingB(G_v, 97, 121)) break lab1;
      return true;
    }
    env.cursor = env.limit - v_1;
    lab2: {
      if (!env.outGroupingB(G_v, 97, 121)) break lab2;
      if (!env.inGroupingB(G_v, 97, 121)) break lab2;
      if (env.cursor > env.limitBackward) break lab2;
      return true;
    }
    env.cursor = env.limit - v_1;
    return env.eqSB(s("past"));
  }

  // The generated code's repeat loops: replace `from` (after a vowel if `afterVowel`)
  // with `to`, scanning on from each replacement. Returns whether anything was replaced.
  function replaceAll(env, afterVowel, from, to) {
    var replaced = false;
    for (;;) {
      var v_5 = env.cursor, found = false;
      for (;;) {
        var v_6 = env.cursor;
        lab11: {
          if (afterVowel && !env.inGrouping(G_v, 97, 121)) break lab11;
          env.bra = env.cursor;
          if (!env.eqS(from)) break lab11;
          env.ket = env.cursor;
          found = true;
        }
        env.cursor = v_6;
        if (found || env.cursor >= env.limit) break;
        env.nextChar();
      }
      if (!found) {
        env.cursor = v_5;
        return replaced;
      }
      env.sliceFrom(to);
      replaced = true;
    }
  }

  function stem(env) {
    var amongVar, yFound = false, p1, p2;
    var v_1 = env.cursor;
    lab1: {
      env.bra = env.cursor;
      if (env.cursor + 2 >= env.limit || !env.byteIn(env.cursor + 2, 42750482)) break lab1;
      amongVar = env.findAmong(A_11);
      if (amongVar === 0) break lab1;
      env.ket = env.cursor;
      if (env.cursor < env.limit) break lab1;
      switch (amongVar) {
        case 1: env.sliceFrom(s("ski")); break;
        case 2: env.sliceFrom(s("sky")); break;
        case 3: env.sliceFrom(s("idl")); break;
        case 4: env.sliceFrom(s("gentl")); break;
        case 5: env.sliceFrom(s("ugli")); break;
        case 6: env.sliceFrom(s("earli")); break;
        case 7: env.sliceFrom(s("onli")); break;
        case 8: env.sliceFrom(s("singl")); break;
      }
      return;
    }
    env.cursor = v_1;
    if (!env.hop(3)) return;
    env.cursor = v_1;

    // Prelude: drop a leading apostrophe, mark consonant y as Y.
    var v_2 = env.cursor;
    lab5: {
      env.bra = env.cursor;
      if (!env.eqS(s("'"))) break lab5;
      env.ket = env.cursor;
      env.sliceDel();
    }
    env.cursor = v_2;
    var v_3 = env.cursor;
    lab6: {
      env.bra = env.cursor;
      if (!env.eqS(s("y"))) break lab6;
      env.ket = env.cursor;
      env.sliceFrom(s("Y"));
      yFound = true;
    }
    env.cursor = v_3;
    var v_4 = env.cursor;
    if (replaceAll(env, true, s("y"), s("Y"))) yFound = true;
    env.cursor = v_4;

    // Regions R1 and R2.
    p1 = env.limit;
    p2 = env.limit;
    var v_7 = env.cursor;
    lab13: {
      lab14: {
        var v_8 = env.cursor;
        lab15: {
          if (env.cursor + 3 >= env.limit || !env.byteIn(env.cursor + 3, 5513250)) break lab15;
          if (env.findAmong(A_0) === 0) break lab15;
          break lab14;
        }
        env.cursor = v_8;
        if (!env.goOutGrouping(G_v, 97, 121)) break lab13;
        env.nextChar();
        if (!env.goInGrouping(G_v, 97, 121)) break lab13;
        env.nextChar();
      }
      p1 = env.cursor;
      if (!env.goOutGrouping(G_v, 97, 121)) break lab13;
      env.nextChar();
      if (!env.goInGrouping(G_v, 97, 121)) break lab13;
      env.nextChar();
      p2 = env.cursor;
    }
    env.cursor = v_7;
    env.limitBackward = env.cursor;
    env.cursor = env.limit;

    // Step 0 and 1a.
    var v_9 = env.limit - env.cursor;
    lab16: {
      var v_10 = env.limit - env.cursor;
      lab17: {
        env.ket = env.cursor;
        if (env.cursor <= env.limitBackward ||
            (env.current[env.cursor - 1] !== 39 && env.current[env.cursor - 1] !== 115)) {
          env.cursor = env.limit - v_10;
          break lab17;
        }
        if (env.findAmongB(A_1) === 0) {
          env.cursor = env.limit - v_10;
          break lab17;
        }
        env.bra = env.cursor;
        env.sliceDel();
      }
      env.ket = env.cursor;
      if (env.cursor <= env.limitBackward ||
          (env.current[env.cursor - 1] !== 100 && env.current[env.cursor - 1] !== 115)) break lab16;
      amongVar = env.findAmongB(A_2);
      if (amongVar === 0) break lab16;
      env.bra = env.cursor;
      switch (amongVar) {
        case 1:
          env.sliceFrom(s("ss"));
          break;
        case 2:
          var v_11 = env.limit - env.cursor;
          if (env.hopBack(2)) {
            env.sliceFrom(s("i"));
          } else {
            env.cursor = env.limit - v_11;
            env.sliceFrom(s("ie"));
          }
          break;
        case 3:
          if (env.cursor <= env.limitBackward) break lab16;
          env.previousChar();
          if (!env.goOutGroupingB(G_v, 97, 121)) break lab16;
          env.previousChar();
          env.sliceDel();
          break;
      }
    }
    env.cursor = env.limit - v_9;

    // Step 1b.
    var v_12 = env.limit - env.cursor;
    lab20: {
      env.ket = env.cursor;
      if (env.cursor - 1 <= env.limitBackward || !env.byteIn(env.cursor - 1, 33554576)) amongVar = -1;
      else amongVar = env.findAmongB(A_5);
      env.bra = env.cursor;
      lab21: {
        var v_13 = env.limit - env.cursor;
        lab22: {
          switch (amongVar) {
            case 1:
              var v_14 = env.limit - env.cursor;
              lab23: {
                if (p1 > env.cursor) break lab23;
                lab24: {
                  var v_15 = env.limit - env.cursor;
                  lab25: {
                    if (env.cursor - 2 <= env.limitBackward || env.current[env.cursor - 1] !== 99) break lab25;
                    if (env.findAmongB(A_3) === 0) break lab25;
                    if (env.cursor > env.limitBackward) break lab25;
                    break lab24;
                  }
                  env.cursor = env.limit - v_15;
                  env.sliceFrom(s("ee"));
                }
              }
              env.cursor = env.limit - v_14;
              break;
            case 2:
              break lab22;
            case 3:
              if (env.cursor <= env.limitBackward || !env.byteIn(env.cursor - 1, 34881536)) break lab22;
              amongVar = env.findAmongB(A_4);
              if (amongVar === 0) break lab22;
              switch (amongVar) {
                case 1:
                  var v_16 = env.limit - env.cursor;
                  if (!env.outGroupingB(G_v, 97, 121)) break lab22;
                  if (env.cursor > env.limitBackward) break lab22;
                  env.cursor = env.limit - v_16;
                  env.bra = env.cursor;
                  env.sliceFrom(s("ie"));
                  break;
                case 2:
                  if (env.cursor > env.limitBackward) break lab22;
                  break;
              }
              break;
          }
          break lab21;
        }
        env.cursor = env.limit - v_13;
        var v_17 = env.limit - env.cursor;
        if (!env.goOutGroupingB(G_v, 97, 121)) break lab20;
        env.previousChar();
        env.cursor = env.limit - v_17;
        env.sliceDel();
        env.ket = env.cursor;
        env.bra = env.cursor;
        var v_18 = env.limit - env.cursor;
        if (env.cursor - 1 <= env.limitBackward || !env.byteIn(env.cursor - 1, 68514004)) amongVar = 3;
        else amongVar = env.findAmongB(A_6);
        switch (amongVar) {
          case 1:
            env.sliceFrom(s("e"));
            break lab20;
          case 2:
            var v_19 = env.limit - env.cursor;
            lab26: {
              if (!env.inGroupingB(G_aeo, 97, 111)) break lab26;
              if (env.cursor > env.limitBackward) break lab26;
              break lab20;
            }
            env.cursor = env.limit - v_19;
            break;
          case 3:
            if (env.cursor !== p1) break lab20;
            var v_20 = env.limit - env.cursor;
            if (!shortv(env)) break lab20;
            env.cursor = env.limit - v_20;
            env.sliceFrom(s("e"));
            break lab20;
        }
        env.cursor = env.limit - v_18;
        env.ket = env.cursor;
        if (env.cursor <= env.limitBackward) break lab20;
        env.previousChar();
        env.bra = env.cursor;
        env.sliceDel();
      }
    }
    env.cursor = env.limit - v_12;

    // Step 1c.
    var v_21 = env.limit - env.cursor;
    lab27: {
      env.ket = env.cursor;
      if (!env.eqSB(s("y")) && !env.eqSB(s("Y"))) break lab27;
      env.bra = env.cursor;
      if (!env.outGroupingB(G_v, 97, 121)) break lab27;
      if (env.cursor <= env.limitBackward) break lab27;
      env.sliceFrom(s("i"));
    }
    env.cursor = env.limit - v_21;

    // Step 2.
    var v_22 = env.limit - env.cursor;
    lab30: {
      env.ket = env.cursor;
      if (env.cursor - 1 <= env.limitBackward || !env.byteIn(env.cursor - 1, 1864192)) break lab30;
      amongVar = env.findAmongB(A_7);
      if (amongVar === 0) break lab30;
      env.bra = env.cursor;
      if (p1 > env.cursor) break lab30;
      switch (amongVar) {
        case 1: env.sliceFrom(s("tion")); break;
        case 2: env.sliceFrom(s("ence")); break;
        case 3: env.sliceFrom(s("ance")); break;
        case 4: env.sliceFrom(s("able")); break;
        case 5: env.sliceFrom(s("ent")); break;
        case 6: env.sliceFrom(s("ize")); break;
        case 7: env.sliceFrom(s("ate")); break;
        case 8: env.sliceFrom(s("al")); break;
        case 9: env.sliceFrom(s("ful")); break;
        case 10: env.sliceFrom(s("ous")); break;
        case 11: env.sliceFrom(s("ive")); break;
        case 12: env.sliceFrom(s("ble")); break;
        case 13: env.sliceFrom(s("og")); break;
        case 14:
          if (!env.eqSB(s("l"))) break lab30;
          env.sliceFrom(s("og"));
          break;
        case 15: env.sliceFrom(s("less")); break;
        case 16:
          if (!env.inGroupingB(G_valid_LI, 99, 116)) break lab30;
          env.sliceDel();
          break;
      }
    }
    env.cursor = env.limit - v_22;

    // Step 3.
    var v_23 = env.limit - env.cursor;
    lab31: {
      env.ket = env.cursor;
      if (env.cursor - 2 <= env.limitBackward || !env.byteIn(env.cursor - 1, 528928)) break lab31;
      amongVar = env.findAmongB(A_8);
      if (amongVar === 0) break lab31;
      env.bra = env.cursor;
      if (p1 > env.cursor) break lab31;
      switch (amongVar) {
        case 1: env.sliceFrom(s("tion")); break;
        case 2: env.sliceFrom(s("ate")); break;
        case 3: env.sliceFrom(s("al")); break;
        case 4: env.sliceFrom(s("ic")); break;
        case 5: env.sliceDel(); break;
        case 6:
          if (p2 > env.cursor) break lab31;
          env.sliceDel();
          break;
      }
    }
    env.cursor = env.limit - v_23;

    // Step 4.
    var v_24 = env.limit - env.cursor;
    lab32: {
      env.ket = env.cursor;
      if (env.cursor - 1 <= env.limitBackward || !env.byteIn(env.cursor - 1, 1864232)) break lab32;
      amongVar = env.findAmongB(A_9);
      if (amongVar === 0) break lab32;
      env.bra = env.cursor;
      if (p2 > env.cursor) break lab32;
      switch (amongVar) {
        case 1:
          env.sliceDel();
          break;
        case 2:
          if (!env.eqSB(s("s")) && !env.eqSB(s("t"))) break lab32;
          env.sliceDel();
          break;
      }
    }
    env.cursor = env.limit - v_24;

    // Step 5.
    var v_25 = env.limit - env.cursor;
    lab35: {
      env.ket = env.cursor;
      if (env.cursor <= env.limitBackward ||
          (env.current[env.cursor - 1] !== 101 && env.current[env.cursor - 1] !== 108)) break lab35;
      amongVar = env.findAmongB(A_10);
      if (amongVar === 0) break lab35;
      env.bra = env.cursor;
      switch (amongVar) {
        case 1:
          lab36: {
            if (!(p2 > env.cursor)) break lab36;
            if (p1 > env.cursor) break lab35;
            var v_26 = env.limit - env.cursor;
            if (shortv(env)) break lab35;
            env.cursor = env.limit - v_26;
          }
          env.sliceDel();
          break;
        case 2:
          if (p2 > env.cursor) break lab35;
          if (!env.eqSB(s("l"))) break lab35;
          env.sliceDel();
          break;
      }
    }
    env.cursor = env.limit - v_25;
    env.cursor = env.limitBackward;

    // Postlude: Y back to y.
    var v_27 = env.cursor;
    if (yFound) replaceAll(env, false, s("Y"), s("y"));
    env.cursor = v_27;
  }

  var encoder = new TextEncoder();
  var decoder = new TextDecoder();
  return function (word) {
    var env = new SnowballEnv(Array.prototype.slice.call(encoder.encode(word)));
    stem(env);
    return decoder.decode(new Uint8Array(env.current));
  };
})();

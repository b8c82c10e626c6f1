graph [
  directed 1
  node [
    id 0
    label "a"
    type "Leaky"
    size 100
  ]
  node [
    id 1
    label "b c"
    type "Holder"
    size 24
  ]
  node [
    id 2
    label "d"
  ]
  edge [
    source 0
    target 1
    label "next"
  ]
  edge [
    source 1
    target 0
    label "prev"
  ]
  edge [
    source 2
    target 0
  ]
  edge [
    source 2
    target 2
  ]
]
